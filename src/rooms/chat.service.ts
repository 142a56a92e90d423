import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import {
  ServerEvents,
  type Message,
  type MessagePage,
  type User,
  HISTORY_PAGE_DEFAULT,
} from '@switchboard/contract';
import { MetricsService, type NewRoomRefusalReason } from '../metrics/metrics.service.js';
import { Delivery, type SendOptions } from '../realtime/delivery.js';
import { HISTORY_STORE, type HistoryStore, type NewRoomRefusal } from '../storage/stores.js';
import { Webhooks } from '../webhooks/webhooks.js';
import { PublishHook } from '../hooks/publish-hook.js';
import { ModeratedMessages } from './moderated-messages.js';
import type { HistoryDto, SendMessageDto, TypingDto } from './chat.dto.js';
import { publicUser, RoomsService } from './rooms.service.js';

/**
 * What a message refused its room's history is answered, naming the bound (in `details` too, for
 * a client to tell it from a pace that slowing down would pass), and how it is counted.
 */
const NEW_ROOM_REFUSALS: Record<
  NewRoomRefusal,
  { reason: NewRoomRefusalReason; limit: string; message: string }
> = {
  rooms: {
    reason: 'history_max_rooms',
    limit: 'HISTORY_MAX_ROOMS',
    message:
      'no room can start a history now: each of the HISTORY_MAX_ROOMS rooms with one had a message within HISTORY_EVICT_IDLE_SECONDS',
  },
  newRoomsPerHour: {
    reason: 'rooms_new_per_hour',
    limit: 'ROOMS_NEW_PER_HOUR',
    message:
      'this user (for a guest, this address) has started the history of ROOMS_NEW_PER_HOUR rooms this hour: no more rooms without a history until the next hour',
  },
};

/** Messages with per-room offsets, their history, and typing indicators. */
@Injectable()
export class ChatService {
  constructor(
    @Inject(HISTORY_STORE) private readonly history: HistoryStore,
    private readonly rooms: RoomsService,
    private readonly delivery: Delivery,
    private readonly metrics: MetricsService,
    private readonly webhooks: Webhooks,
    private readonly publishHook: PublishHook,
    private readonly moderated: ModeratedMessages,
  ) {}

  /**
   * `newRoomsCounter` is whom a room without a history counts against (ROOMS_NEW_PER_HOUR): the
   * user, or for a guest, the client's address (see `newRoomsCounterOf`).
   */
  async send(
    user: User,
    socketId: string,
    message: SendMessageDto,
    newRoomsCounter: string,
  ): Promise<Message> {
    this.rooms.assertMember(socketId, message.room);
    if (this.publishHook.covers(message.room)) {
      return this.moderated.send(user, message, (allowedText) =>
        this.store(
          user,
          { ...message, text: allowedText },
          { except: { socketId } },
          newRoomsCounter,
          message.text,
        ),
      );
    }
    return this.store(user, message, { except: { socketId } }, newRoomsCounter);
  }

  /**
   * A message from a sender that is no socket (another backend, for a bot or a system notice): no
   * membership needed, every socket of the room gets it, and a trusted backend brings in as many
   * rooms as it needs (HISTORY_MAX_ROOMS and HISTORY_EVICT_IDLE_SECONDS still hold).
   */
  post(user: User, message: SendMessageDto): Promise<Message> {
    return this.store(user, message, {}, undefined);
  }

  /**
   * `sentText` is what the client sent when the publish hook replaced it: a retry of the same
   * clientMsgId with it finds the stored (replaced) text, and is no conflict.
   */
  private async store(
    user: User,
    { room, text, clientMsgId }: SendMessageDto,
    options: SendOptions,
    newRoomsCounter: string | undefined,
    sentText = text,
  ): Promise<Message> {
    // Queued by the store in its append step, where it can: the order of the events is then that
    // of the offsets, whichever node stored each message (docs/webhooks.md, "Order").
    const webhookEvent = this.history.queuesWebhookEvents
      ? this.webhooks.messageEvent('message.created', `room:${room}`)
      : undefined;
    const result = await this.history.append(
      { id: randomUUID(), room, user: publicUser(user), text, ts: Date.now(), clientMsgId },
      this.history.announcesAppends
        ? this.delivery.broadcastOf({ room }, ServerEvents.chatMessage, options)
        : undefined,
      newRoomsCounter,
      webhookEvent,
    );
    if (!result.created) {
      if ('refused' in result) {
        const refusal = NEW_ROOM_REFUSALS[result.refused];
        this.metrics.newRoomRefused(refusal.reason);
        throw new AppError('RATE_LIMITED', refusal.message, { limit: refusal.limit });
      }
      if (result.message.text !== text && result.message.text !== sentText) {
        throw new AppError('CONFLICT', 'this clientMsgId was already used for another text');
      }
      return result.message;
    }
    if (result.announced) this.delivery.countSent(ServerEvents.chatMessage);
    else this.delivery.send({ room }, ServerEvents.chatMessage, result.message, options);
    if (webhookEvent !== undefined) {
      this.webhooks.queuedByStore('message.created', webhookEvent, result.webhookMarker);
    } else if (this.webhooks.wants('message.created')) {
      this.webhooks.record('message.created', { message: result.message }, `room:${room}`);
    }
    return result.message;
  }

  typing(user: User, socketId: string, { room, typing }: TypingDto): Record<string, never> {
    this.rooms.assertMember(socketId, room);
    this.delivery.send(
      { room },
      ServerEvents.chatTyping,
      { room, user: publicUser(user), typing },
      // Not to the typist's own other tabs either: they know who is typing.
      { except: { userId: user.id }, volatile: true },
    );
    return {};
  }

  async page(socketId: string, query: HistoryDto): Promise<MessagePage> {
    this.rooms.assertMember(socketId, query.room);
    return this.pageOf(query);
  }

  /** A page of a room's history, whoever asks (the server API needs no membership). */
  pageOf({ room, after, before, limit = HISTORY_PAGE_DEFAULT }: HistoryDto): Promise<MessagePage> {
    return after === undefined
      ? this.history.before(room, before, limit)
      : this.history.after(room, after, limit, before);
  }
}
