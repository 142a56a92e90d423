/**
 * The contract of docs/protocol.md as types and constants, shared by the server, the client
 * library and the tests. Nothing here may import the server: a client bundles it.
 */
export * from './events.js';
export * from './hooks.js';
export * from './limits.js';
export * from './names.js';
export type * from './socket-events.js';
export type * from './types.js';
export * from './webhooks.js';
