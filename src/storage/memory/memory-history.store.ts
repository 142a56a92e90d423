import type { Message } from '@switchboard/contract';
import type {
  AppendResult,
  HistoryLimits,
  HistorySlice,
  HistoryStore,
  MessageBroadcast,
  MessageDraft,
  NewRoomRefusal,
} from '../stores.js';
import { NewRoomCounts } from './new-room-counts.js';
import { RingBuffer } from './ring-buffer.js';

interface RoomHistory {
  /** Contiguous by offset: the i-th kept message has offset firstOffset + i. */
  messages: RingBuffer<Message>;
  lastOffset: number;
  byClientMsgId: Map<string, Message>;
}

const idempotencyKey = (userId: string, clientMsgId: string) => `${userId}\u0000${clientMsgId}`;

export class MemoryHistoryStore implements HistoryStore {
  /** On one node, the caller's broadcast right after the append is already in offset order. */
  readonly announcesAppends = false;
  /** On one node, the caller's own record right after the append is already in offset order. */
  readonly queuesWebhookEvents = false;
  /** In the order of their last message: a Map keeps insertion order, and a write re-inserts. */
  private readonly rooms = new Map<string, RoomHistory>();
  private readonly newRooms: NewRoomCounts;

  constructor(private readonly limits: HistoryLimits) {
    this.newRooms = new NewRoomCounts(limits.newRoomsPerHour, limits.rooms);
  }

  append(
    draft: MessageDraft,
    _broadcast?: MessageBroadcast,
    newRoomsCounter?: string,
  ): Promise<AppendResult> {
    let history = this.rooms.get(draft.room);
    const key =
      draft.clientMsgId === undefined
        ? undefined
        : idempotencyKey(draft.user.id, draft.clientMsgId);
    const earlier = key === undefined ? undefined : history?.byClientMsgId.get(key);
    if (earlier) {
      return Promise.resolve({ created: false, message: earlier });
    }
    if (history) {
      this.rooms.delete(draft.room);
    } else {
      const refused = this.admitNewRoom(draft.ts, newRoomsCounter);
      if (refused) return Promise.resolve({ created: false, refused });
      history = {
        messages: new RingBuffer(this.limits.perRoom),
        lastOffset: 0,
        byClientMsgId: new Map(),
      };
    }
    this.rooms.set(draft.room, history);
    history.lastOffset += 1;
    const message: Message = { ...draft, offset: history.lastOffset };
    if (draft.clientMsgId === undefined) delete message.clientMsgId;
    const dropped = history.messages.push(message);
    if (key !== undefined) history.byClientMsgId.set(key, message);
    if (dropped?.clientMsgId !== undefined) {
      history.byClientMsgId.delete(idempotencyKey(dropped.user.id, dropped.clientMsgId));
    }
    return Promise.resolve({ created: true, message, announced: false });
  }

  lastOffset(room: string): Promise<number> {
    return Promise.resolve(this.rooms.get(room)?.lastOffset ?? 0);
  }

  after(room: string, after: number, limit: number, before?: number): Promise<HistorySlice> {
    const history = this.rooms.get(room);
    if (!history) return Promise.resolve({ messages: [], hasMore: false });
    const first = firstOffsetOf(history);
    const start = clamp(after + 1 - first, 0, history.messages.length);
    const end =
      before === undefined
        ? history.messages.length
        : clamp(before - first, start, history.messages.length);
    const stop = Math.min(end, start + limit);
    return Promise.resolve({ messages: history.messages.slice(start, stop), hasMore: stop < end });
  }

  before(room: string, before: number | undefined, limit: number): Promise<HistorySlice> {
    const history = this.rooms.get(room);
    if (!history) return Promise.resolve({ messages: [], hasMore: false });
    const first = firstOffsetOf(history);
    const end =
      before === undefined
        ? history.messages.length
        : clamp(before - first, 0, history.messages.length);
    const start = Math.max(0, end - limit);
    return Promise.resolve({ messages: history.messages.slice(start, end), hasMore: start > 0 });
  }

  /**
   * Makes space for a room without a history, written to at `now`, and counts it for `counter`;
   * or says which bound refuses it, having changed nothing.
   */
  private admitNewRoom(now: number, counter: string | undefined): NewRoomRefusal | undefined {
    if (counter !== undefined && !this.newRooms.allows(counter, now)) return 'newRoomsPerHour';
    if (this.rooms.size >= this.limits.rooms) {
      const [[oldestRoom, oldest]] = this.rooms;
      if (now - lastWriteOf(oldest) < this.limits.evictIdleMs) return 'rooms';
      this.rooms.delete(oldestRoom);
    }
    if (counter !== undefined) this.newRooms.add(counter, now);
    return undefined;
  }
}

/** Every room in the store has at least one message: the one that brought it in. */
function lastWriteOf(history: RoomHistory): number {
  return history.messages.at(history.messages.length - 1)!.ts;
}

function firstOffsetOf(history: RoomHistory): number {
  return history.lastOffset - history.messages.length + 1;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
