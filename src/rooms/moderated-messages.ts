import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import { AppConfig } from '../config/app-config.js';
import type { Message, User } from '@switchboard/contract';
import { PublishHook } from '../hooks/publish-hook.js';
import { IDEMPOTENCY_STORE, type IdempotencyStore } from '../storage/stores.js';
import type { SendMessageDto } from './chat.dto.js';
import { publicUser } from './rooms.service.js';

/**
 * How long a moderated message answers a retry of its clientMsgId without asking again: far longer
 * than a client retries (its outbox resends across reconnections), and short enough that Redis
 * keeps an hour of moderated messages, not a day. A later retry asks again, and the history's own
 * clientMsgId check still returns the stored message when the backend answers as it did.
 */
const REMEMBERED_MS = 60 * 60 * 1000;

/** What a moderated message's clientMsgId remembers: the client's text, and what was stored. */
interface Remembered {
  sentText: string;
  message: Message;
}

/**
 * `chat:send` in a room of HOOK_PUBLISH_ROOMS: the backend is asked before the message is stored,
 * and may replace its text. A retry of the same clientMsgId with the text that the client first
 * sent gets the stored (possibly replaced) message back without asking again, so that a backend
 * answering differently the second time cannot make a retry a CONFLICT or a second message. What
 * each clientMsgId got is kept in the idempotency store, shared by every node.
 */
@Injectable()
export class ModeratedMessages {
  private readonly claimMs: number;

  constructor(
    private readonly publishHook: PublishHook,
    @Inject(IDEMPOTENCY_STORE) private readonly remembered: IdempotencyStore,
    config: AppConfig,
  ) {
    // Long enough for the hook's answer and the store's write after it.
    this.claimMs = (config.hooks?.timeoutMs ?? 0) + 10_000;
  }

  /** Asks the backend, then `store`s the text it allowed (the client's or its replacement). */
  async send(
    user: User,
    { room, text, clientMsgId }: SendMessageDto,
    store: (allowedText: string) => Promise<Message>,
  ): Promise<Message> {
    const ask = () => this.publishHook.checkMessage(publicUser(user), room, text, clientMsgId);
    if (clientMsgId === undefined) return store(await ask());
    const key = `publish-hook:${room}:${user.id}:${clientMsgId}`;
    const claim = await this.remembered.claim(key, this.claimMs);
    if (claim.state === 'pending') {
      throw new AppError('UNAVAILABLE', 'this clientMsgId is being sent already: retry later');
    }
    if (claim.state === 'answered') {
      const { sentText, message } = claim.answer.body as Remembered;
      if (sentText !== text) {
        throw new AppError('CONFLICT', 'this clientMsgId was already used for another text');
      }
      return message;
    }
    let message: Message;
    try {
      message = await store(await ask());
    } catch (error) {
      await this.remembered.release(key).catch(() => undefined);
      throw error;
    }
    const remembered: Remembered = { sentText: text, message };
    // Not remembered (the store failed): a retry asks again, and the history's check still holds.
    await this.remembered
      .complete(key, { status: 200, body: remembered }, REMEMBERED_MS)
      .catch(() => undefined);
    return message;
  }
}
