import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import {
  ServerEvents,
  type Relayed,
  type RoomEmit,
  type RoomEvent,
  type User,
  type UserEmit,
  type UserEvent,
} from '@switchboard/contract';
import type { Sender } from '../notifications/notifications.service.js';
import { PublishHook } from '../hooks/publish-hook.js';
import { Delivery } from '../realtime/delivery.js';
import { publicUser, RoomsService } from '../rooms/rooms.service.js';
import { PRESENCE_STORE, type PresenceStore } from '../storage/stores.js';
import { RoomEventWebhooks } from '../webhooks/room-event-webhooks.js';
import { assertRelayable } from './relayed-size.js';

/**
 * Custom events (`room:emit`, `user:emit`, and the server API's room and user events): checked,
 * stamped with the sender and the time, and relayed in one broadcast. Nothing is stored.
 */
@Injectable()
export class RelayService {
  constructor(
    @Inject(PRESENCE_STORE) private readonly presence: PresenceStore,
    private readonly rooms: RoomsService,
    private readonly delivery: Delivery,
    private readonly config: AppConfig,
    private readonly roomEventWebhooks: RoomEventWebhooks,
    private readonly publishHook: PublishHook,
  ) {}

  /** To every socket of the room but the sending one (a `system` sender needs no membership). */
  async toRoom(sender: Sender, { room, event, data }: RoomEmit): Promise<Relayed> {
    this.assertFits(data);
    if (sender.kind === 'user') {
      this.rooms.assertMember(sender.socketId, room);
      // Only the application's users are moderated: a backend speaking as `system` is trusted.
      if (this.publishHook.covers(room)) {
        data = await this.publishHook.checkEvent(publicUser(sender.identity), room, event, data);
      }
    }
    const roomEvent: RoomEvent = {
      room,
      event,
      data: data ?? null,
      user: userOf(sender),
      ts: Date.now(),
    };
    // Counted from presence, one store read, rather than by asking every node for its sockets
    // (with Redis, a round trip through every node with every socket's details) on each event.
    const sockets = await this.presence.socketCount(room);
    if (this.roomEventWebhooks.wanted) this.roomEventWebhooks.relayed(roomEvent);
    if (sender.kind === 'user') {
      this.delivery.send({ room }, ServerEvents.roomEvent, roomEvent, {
        except: { socketId: sender.socketId },
      });
      // The sending socket is in the room (asserted above) and gets nothing.
      return { recipients: Math.max(0, sockets - 1) };
    }
    this.delivery.send({ room }, ServerEvents.roomEvent, roomEvent);
    return { recipients: sockets };
  }

  /** To every socket of the user, the sending socket too when users address themselves. */
  async toUser(sender: Sender, { userId, event, data }: UserEmit): Promise<Relayed> {
    this.assertFits(data);
    if (sender.kind === 'user') await this.rooms.assertMayAddress(sender.identity, userId);
    const userEvent: UserEvent = {
      event,
      data: data ?? null,
      from: userOf(sender),
      ts: Date.now(),
    };
    return {
      recipients: await this.delivery.sendCounted({ userId }, ServerEvents.userEvent, userEvent),
    };
  }

  /** Weighed before anything is asked of the stores: a refusal costs no round trip. */
  private assertFits(data: unknown): void {
    assertRelayable(data, this.config.relayMaxBytes);
  }
}

function userOf(sender: Sender): User {
  return sender.kind === 'user' ? publicUser(sender.identity) : sender.user;
}
