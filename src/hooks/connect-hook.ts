import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import { AppConfig } from '../config/app-config.js';
import { type ConnectHookRequest, USER_ID_MAX } from '@switchboard/contract';
import { objectOf, optionalStrings } from './answer-shapes.js';
import { HookClient, MalformedAnswer, type HookAnswer } from './hook-client.js';

/** What a handshake shows of itself, for the connect hook. */
export interface HandshakeFacts {
  headers: Record<string, string | string[] | undefined>;
  ip: string;
  transport: string;
}

/**
 * Who the backend says a socket is. Not yet an identity: the id and name still go through the
 * rules that every identity does (reserved ids, misleading characters), as a token's would.
 */
export type ConnectVerdict =
  | { kind: 'guest' }
  | {
      kind: 'user';
      id: string;
      name: string | undefined;
      roles: string[];
      rooms: string[];
      expiresAt: number | undefined;
    };

/**
 * HOOK_CONNECT_URL: at a handshake without a token, the backend tells who the browser is from
 * its cookies and chosen headers (HOOK_CONNECT_HEADERS): a user, a guest, or nobody (401, 403).
 */
@Injectable()
export class ConnectHook {
  private readonly url: string | undefined;
  private readonly headerNames: readonly string[];

  constructor(
    config: AppConfig,
    private readonly client: HookClient,
  ) {
    this.url = config.hooks?.connectUrl;
    this.headerNames = config.hooks?.connectHeaders ?? [];
  }

  get enabled(): boolean {
    return this.url !== undefined;
  }

  /** The backend's verdict; UNAUTHORIZED for a 401 or 403, UNAVAILABLE for anything else. */
  identify(auth: Record<string, unknown>, handshake: HandshakeFacts): Promise<ConnectVerdict> {
    const request: ConnectHookRequest = {
      auth,
      headers: this.passedHeaders(handshake.headers),
      ip: handshake.ip,
      transport: handshake.transport === 'websocket' ? 'websocket' : 'polling',
    };
    return this.client.ask('connect', this.url!, request, readConnectAnswer);
  }

  private passedHeaders(headers: HandshakeFacts['headers']): Record<string, string> {
    const passed: Record<string, string> = {};
    for (const name of this.headerNames) {
      const value = headers[name];
      if (value !== undefined) passed[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return passed;
  }
}

function readConnectAnswer(answer: HookAnswer): ConnectVerdict {
  if (answer.status === 401 || answer.status === 403) {
    throw new AppError('UNAUTHORIZED', `the application backend refused (${answer.status})`);
  }
  if (answer.status !== 200)
    throw new MalformedAnswer(`the backend answered HTTP ${answer.status}`);
  const body = objectOf(answer.json());
  if (body.guest === true && body.user === undefined) return { kind: 'guest' };
  const user = objectOf(body.user);
  const { id, name } = user;
  if (typeof id !== 'string' || id.length === 0 || id.length > USER_ID_MAX) {
    throw new MalformedAnswer(`"user.id" is not a string of 1-${USER_ID_MAX} characters`);
  }
  if (name !== undefined && typeof name !== 'string') {
    throw new MalformedAnswer('"user.name" is not a string');
  }
  const expiry = body.expiresAt;
  if (expiry !== undefined && !Number.isSafeInteger(expiry)) {
    throw new MalformedAnswer('"expiresAt" is not a time in milliseconds since the epoch');
  }
  return {
    kind: 'user',
    id,
    name,
    roles: optionalStrings(body, 'roles') ?? [],
    rooms: optionalStrings(body, 'rooms') ?? [],
    expiresAt: expiry as number | undefined,
  };
}
