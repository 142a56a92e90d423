import type { OpenAPIObject } from '@nestjs/swagger';

type SchemaObject = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string];
import {
  PUBLISH_REFUSAL_CODES,
  RPC_ERROR_CODES,
  MESSAGE_TEXT_MAX,
  USER_ID_MAX,
  EVENT_NAME,
  ROOM_NAME,
} from '@switchboard/contract';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const anyJson: SchemaObject = { description: 'any JSON value', nullable: true };
const binaryNote = 'Binary values travel as { "$binary": "<standard base64>" }.';

/**
 * What Switchboard POSTs to the application's backend and what it may answer (docs/hooks.md), as
 * schemas of the OpenAPI document: they are no route of the server API, but a backend team reads
 * them (and generates types from them) in the same place as the rest. Named `Hook*` so that no
 * DTO's schema meets them.
 */
export const HOOK_SCHEMAS: Record<string, SchemaObject> = {
  HookUser: {
    type: 'object',
    required: ['id', 'name'],
    properties: {
      id: { type: 'string', minLength: 1, maxLength: USER_ID_MAX },
      name: { type: 'string' },
    },
  },
  HookConnectRequest: {
    description: 'POST HOOK_CONNECT_URL: a handshake without a token.',
    type: 'object',
    required: ['auth', 'headers', 'ip', 'transport'],
    properties: {
      auth: { type: 'object', description: "the handshake's auth object as the client sent it" },
      headers: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description: 'only the headers named in HOOK_CONNECT_HEADERS, lower case',
      },
      ip: { type: 'string' },
      transport: { type: 'string', enum: ['polling', 'websocket'] },
    },
  },
  HookConnectAnswer: {
    description:
      '200: the user (as a token would say: grants, lifetime, name rules; a reserved id is refused) or a guest. 401 or 403 refuse the handshake; anything else makes it "unavailable".',
    oneOf: [
      {
        type: 'object',
        required: ['user'],
        properties: {
          user: ref('HookUser'),
          roles: { type: 'array', items: { type: 'string' } },
          rooms: { type: 'array', items: { type: 'string' } },
          expiresAt: { type: 'integer', description: 'ms since the epoch' },
        },
      },
      {
        type: 'object',
        required: ['guest'],
        properties: { guest: { type: 'boolean', enum: [true] } },
      },
    ],
  },
  HookJoinRequest: {
    description: 'POST HOOK_JOIN_URL: a join of a room needing a grant the socket does not hold.',
    type: 'object',
    required: ['user', 'room', 'socketId'],
    properties: {
      user: ref('HookUser'),
      room: { type: 'string', pattern: ROOM_NAME.source },
      socketId: { type: 'string' },
    },
  },
  HookJoinAnswer: {
    description:
      '200 { allow: true } joins; { allow: false, message? } is FORBIDDEN; anything else UNAVAILABLE.',
    type: 'object',
    required: ['allow'],
    properties: { allow: { type: 'boolean' }, message: { type: 'string' } },
  },
  HookPublishRequest: {
    description: `POST HOOK_PUBLISH_URL: before a chat:send is stored (kind "message") or a room:emit relayed (kind "event"). ${binaryNote}`,
    type: 'object',
    required: ['user', 'room', 'kind'],
    properties: {
      user: ref('HookUser'),
      room: { type: 'string', pattern: ROOM_NAME.source },
      kind: { type: 'string', enum: ['message', 'event'] },
      text: { type: 'string', maxLength: MESSAGE_TEXT_MAX },
      clientMsgId: { type: 'string' },
      event: { type: 'string', pattern: EVENT_NAME.source },
      data: anyJson,
    },
  },
  HookPublishAnswer: {
    description: `200 { allow: true, text?, data? } stores or relays, with text or data replaced when given; { allow: false, code?, message? } refuses with that code (default FORBIDDEN); anything else UNAVAILABLE. ${binaryNote}`,
    type: 'object',
    required: ['allow'],
    properties: {
      allow: { type: 'boolean' },
      text: { type: 'string', minLength: 1, maxLength: MESSAGE_TEXT_MAX },
      data: anyJson,
      code: { type: 'string', enum: [...PUBLISH_REFUSAL_CODES] },
      message: { type: 'string' },
    },
  },
  HookRpcRequest: {
    description: `POST HOOK_RPC_URL: the client event rpc. ${binaryNote}`,
    type: 'object',
    required: ['user', 'socketId', 'method', 'data'],
    properties: {
      user: ref('HookUser'),
      socketId: { type: 'string' },
      method: { type: 'string', pattern: EVENT_NAME.source },
      data: anyJson,
    },
  },
  HookRpcAnswer: {
    description: "200: the reply's data (null when left out).",
    type: 'object',
    properties: { data: anyJson },
  },
  HookRpcRefusal: {
    description: '4xx: the reply is this error; any other answer is UNAVAILABLE.',
    type: 'object',
    required: ['code', 'message'],
    properties: {
      code: { type: 'string', enum: [...RPC_ERROR_CODES] },
      message: { type: 'string' },
      details: {
        description: 'with VALIDATION_FAILED: [{ field, problems: [] }]',
        type: 'array',
        items: {
          type: 'object',
          required: ['field', 'problems'],
          properties: {
            field: { type: 'string' },
            problems: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
  },
};
