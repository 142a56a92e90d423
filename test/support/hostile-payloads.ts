import fc from 'fast-check';
import { ClientEvents } from '@switchboard/contract';
import { signToken } from './tokens.js';

/**
 * Payloads a hostile or broken client may send, for the property-based tests: the fields of each
 * event filled now with something close to valid (so that real work happens: joins, messages,
 * retries), now with anything at all.
 */

/** The rooms the invariants are checked in; every close-to-valid payload names one of them. */
export const FUZZ_ROOMS = ['fuzz-a', 'fuzz-b', 'fuzz-c'] as const;

/** Event names the client library refuses to emit itself, so no client can send them. */
const CLIENT_RESERVED = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
]);

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level += 1) value = level % 2 ? [value] : { deeper: value };
  return value;
}

/** Objects whose own keys are the names that prototype pollution goes through. */
const pollutingObject = fc.oneof(
  fc.constant(JSON.parse('{"__proto__":{"polluted":"yes"},"room":"fuzz-a"}') as unknown),
  fc.constant({ constructor: { prototype: { polluted: 'yes' } }, room: 'fuzz-a', text: 'x' }),
  fc.dictionary(
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'room'),
    fc.oneof(fc.string(), fc.object({ maxDepth: 2 })),
    { maxKeys: 4 },
  ),
);

/** Anything at all: wrong types, huge and deep values, binary, prototype keys. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.anything({
      maxDepth: 3,
      withObjectString: true,
      withNullPrototype: true,
      withSparseArray: true,
    }),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 10_000, max: 200_000 }).map((size) => 'x'.repeat(size)),
  },
  { weight: 1, arbitrary: fc.integer({ min: 30, max: 1000 }).map(nested) },
  { weight: 1, arbitrary: fc.array(fc.integer(), { minLength: 1000, maxLength: 20_000 }) },
  { weight: 2, arbitrary: pollutingObject },
);

/** A field that is mostly right, sometimes anything. */
function mostly<T>(right: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 3, arbitrary: right }, { weight: 1, arbitrary: anyValue });
}

const room = mostly(fc.constantFrom(...FUZZ_ROOMS));
const offset = mostly(fc.nat({ max: 20 }));
const text = mostly(
  fc.oneof(fc.constantFrom('hello', 'again', '  padded  '), fc.string({ maxLength: 4100 })),
);

/** Records with any of their fields left out, and sometimes a field too many. */
function shaped(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  return mostly(
    fc
      .tuple(
        fc.record(fields, { requiredKeys: [] }),
        fc.option(fc.dictionary(fc.string(), anyValue, { maxKeys: 2 })),
      )
      .map(([record, extra]) => ({ ...extra, ...record })),
  );
}

/** The users the fuzz addresses: the admin, present in every fuzz room, and one never connected. */
const userId = mostly(fc.constantFrom('fuzz-alice', 'fuzz-nobody'));

const target = mostly(
  fc.oneof(
    fc.record({ userId }),
    fc.record({ room }),
    fc.record({ all: mostly(fc.constant(true)) }),
  ),
);

/** Custom events: the application's names, and data of any JSON with binary values inside. */
const customEvent = mostly(fc.constantFrom('cursor:move', 'game.move', 'webrtc:offer'));
const customData = mostly(
  fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.record({ bytes: fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)) }),
  ),
);

/** A token that refreshes the fuzzing admin's sessions, among tokens that must be refused. */
const token = mostly(
  fc.constantFrom(
    await signToken({ sub: 'fuzz-alice', name: 'Alice', roles: ['admin'] }),
    await signToken({ sub: 'fuzz-mallory', name: 'Mallory' }),
    'not.a.token',
  ),
);

/** The payload arbitrary of each client event of the contract that the server handles here. */
export const payloadsByEvent: Record<string, fc.Arbitrary<unknown>> = {
  [ClientEvents.sessionPing]: fc.oneof(fc.constant(undefined), anyValue),
  [ClientEvents.sessionRefresh]: shaped({ token }),
  [ClientEvents.roomJoin]: shaped({ room, after: offset, token }),
  [ClientEvents.roomLeave]: shaped({ room }),
  [ClientEvents.roomMembers]: shaped({ room }),
  [ClientEvents.chatSend]: shaped({
    room,
    text,
    clientMsgId: mostly(fc.constantFrom('m1', 'm2', 'm3')),
  }),
  [ClientEvents.chatTyping]: shaped({ room, typing: mostly(fc.boolean()) }),
  [ClientEvents.chatHistory]: shaped({
    room,
    after: offset,
    before: offset,
    limit: mostly(fc.integer({ min: 0, max: 101 })),
  }),
  [ClientEvents.notificationSend]: shaped({
    target,
    title: mostly(fc.string({ minLength: 1, maxLength: 201 })),
    body: mostly(fc.string({ minLength: 1, maxLength: 2001 })),
    data: mostly(fc.object({ maxDepth: 2 })),
  }),
  [ClientEvents.roomEmit]: shaped({ room, event: customEvent, data: customData }),
  [ClientEvents.userEmit]: shaped({ userId, event: customEvent, data: customData }),
};

/**
 * Names the server does not know: ones that name an Object property or Socket.IO's own events,
 * and numbers, which Socket.IO's parser accepts as event names too.
 */
export const unknownEventName: fc.Arbitrary<string> = fc
  .oneof(
    fc.constantFrom(
      'error',
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      'connection',
      'x'.repeat(5000),
    ),
    fc.string({ maxLength: 80 }),
    fc.integer().map((name) => name as unknown as string),
  )
  .filter(
    (name) => !CLIENT_RESERVED.has(name) && !Object.values<unknown>(ClientEvents).includes(name),
  );

/** How one event is sent: its payload, arguments beyond it, and whether a callback is passed. */
export interface Emission {
  payload: unknown;
  extraArguments: unknown[];
  withAck: boolean;
  /** Which of the test's sockets sends it. */
  sender: number;
}

export function emissions(payload: fc.Arbitrary<unknown>, senders: number): fc.Arbitrary<Emission> {
  return fc.record({
    payload,
    extraArguments: fc.oneof(
      { weight: 3, arbitrary: fc.constant<unknown[]>([]) },
      { weight: 1, arbitrary: fc.array(anyValue, { maxLength: 2 }) },
    ),
    withAck: fc.boolean(),
    sender: fc.nat({ max: senders - 1 }),
  });
}
