import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import { AppConfig } from '../config/app-config.js';
import {
  PUBLISH_REFUSAL_CODES,
  type PublishHookRequest,
  MESSAGE_TEXT_MAX,
  type User,
} from '@switchboard/contract';
import { relayedSize } from '../relay/relayed-size.js';
import { isSuccess, objectOf, optionalString, unexpectedStatus } from './answer-shapes.js';
import { withBinary } from '../common/binary-json.js';
import { HookClient, MalformedAnswer, type HookAnswer } from './hook-client.js';

/**
 * HOOK_PUBLISH_URL: asked before a `chat:send` is stored and before a `room:emit` is relayed, in
 * the rooms of HOOK_PUBLISH_ROOMS. The backend allows, refuses with a code, or replaces the text or
 * the data (a moderation filter); what it puts in place is checked as a client's would be.
 */
@Injectable()
export class PublishHook {
  private readonly url: string | undefined;
  private readonly roomPatterns: readonly string[];
  private readonly dataMaxBytes: number;

  constructor(
    config: AppConfig,
    private readonly client: HookClient,
  ) {
    this.url = config.hooks?.publishUrl;
    this.roomPatterns = config.hooks?.publishRoomPatterns ?? [];
    this.dataMaxBytes = config.relayMaxBytes;
  }

  /** Whether publishing to `room` asks the backend: false at once when the hook is off. */
  covers(room: string): boolean {
    return this.url !== undefined && this.roomPatterns.some((pattern) => matches(pattern, room));
  }

  /** The text to store: the client's, or the backend's replacement. */
  checkMessage(user: User, room: string, text: string, clientMsgId?: string): Promise<string> {
    const request: PublishHookRequest = { user, room, kind: 'message', text, clientMsgId };
    return this.client.ask('publish', this.url!, request, (answer) => {
      const allowed = allowedAnswer(answer, 'text');
      const replaced = optionalString(allowed, 'text')?.trim();
      if (replaced === undefined) return text;
      if (replaced.length === 0 || replaced.length > MESSAGE_TEXT_MAX) {
        throw new MalformedAnswer(`"text" must be 1-${MESSAGE_TEXT_MAX} characters after trimming`);
      }
      return replaced;
    });
  }

  /** The data to relay: the client's, or the backend's replacement (binary from `$binary`). */
  checkEvent(user: User, room: string, event: string, data: unknown): Promise<unknown> {
    const request: PublishHookRequest = { user, room, kind: 'event', event, data: data ?? null };
    return this.client.ask('publish', this.url!, request, (answer) => {
      const allowed = allowedAnswer(answer, 'data');
      if (!('data' in allowed)) return data;
      const replaced = withBinary(allowed.data);
      if (replaced === undefined) {
        throw new MalformedAnswer('"data" nests too deep or holds a $binary that is not base64');
      }
      if (relayedSize(replaced, this.dataMaxBytes) > this.dataMaxBytes) {
        throw new MalformedAnswer(`"data" is over RELAY_MAX_BYTES (${this.dataMaxBytes})`);
      }
      return replaced;
    });
  }
}

/** The body of an allowing answer; a refusal thrown as its AppError; anything else malformed. */
function allowedAnswer(answer: HookAnswer, field: 'text' | 'data'): Record<string, unknown> {
  if (!isSuccess(answer.status)) throw unexpectedStatus(answer.status);
  const body = objectOf(answer.json());
  if (body.allow === true) return body;
  if (body.allow !== false) throw new MalformedAnswer('"allow" is not a boolean');
  const code = body.code ?? 'FORBIDDEN';
  if (!(PUBLISH_REFUSAL_CODES as readonly unknown[]).includes(code)) {
    throw new MalformedAnswer(`"code" is not one of ${PUBLISH_REFUSAL_CODES.join(', ')}`);
  }
  const message = optionalString(body, 'message') ?? 'refused by the application';
  throw code === 'FORBIDDEN'
    ? new AppError('FORBIDDEN', message)
    : new AppError('VALIDATION_FAILED', message, [{ field, problems: [message] }]);
}

/** A HOOK_PUBLISH_ROOMS pattern: a room's exact name, or a prefix ending in `*`. */
function matches(pattern: string, room: string): boolean {
  return pattern.endsWith('*') ? room.startsWith(pattern.slice(0, -1)) : pattern === room;
}
