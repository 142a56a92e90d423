import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import { ServerEvents } from '../contract/events.js';
import type { Message, MessagePage, User } from '../contract/types.js';
import { Broadcaster, type SendOptions } from '../realtime/broadcaster.js';
import { HISTORY_STORE, type HistoryStore } from '../storage/stores.js';
import { HISTORY_PAGE_DEFAULT } from '../contract/limits.js';
import type { HistoryDto, SendMessageDto, TypingDto } from './chat.dto.js';
import { publicUser, RoomsService } from './rooms.service.js';

/** Messages with per-room offsets, their history, and typing indicators. */
@Injectable()
export class ChatService {
  constructor(
    @Inject(HISTORY_STORE) private readonly history: HistoryStore,
    private readonly rooms: RoomsService,
    private readonly broadcaster: Broadcaster,
  ) {}

  async send(user: User, socketId: string, message: SendMessageDto): Promise<Message> {
    this.rooms.assertMember(socketId, message.room);
    return this.store(user, message, { except: { socketId } });
  }

  /**
   * A message from a sender that is no socket (another backend, for a bot or a system notice): no
   * membership needed, and every socket of the room gets it.
   */
  post(user: User, message: SendMessageDto): Promise<Message> {
    return this.store(user, message, {});
  }

  private async store(
    user: User,
    { room, text, clientMsgId }: SendMessageDto,
    delivery: SendOptions,
  ): Promise<Message> {
    const result = await this.history.append(
      { id: randomUUID(), room, user: publicUser(user), text, ts: Date.now(), clientMsgId },
      this.history.announcesAppends
        ? this.broadcaster.announcement({ room }, ServerEvents.chatMessage, delivery)
        : undefined,
    );
    if (!result.created) {
      if (result.message.text !== text) {
        throw new AppError('CONFLICT', 'this clientMsgId was already used for another text');
      }
      return result.message;
    }
    if (result.announced) this.broadcaster.countSent(ServerEvents.chatMessage);
    else this.broadcaster.send({ room }, ServerEvents.chatMessage, result.message, delivery);
    return result.message;
  }

  typing(user: User, socketId: string, { room, typing }: TypingDto): Record<string, never> {
    this.rooms.assertMember(socketId, room);
    this.broadcaster.send(
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
