import type { Message } from '../../contract/types.js';
import type {
  AppendResult,
  HistoryLimits,
  HistorySlice,
  HistoryStore,
  MessageDraft,
} from '../stores.js';
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
  /** In the order they were last written to: a Map keeps insertion order, and a write re-inserts. */
  private readonly rooms = new Map<string, RoomHistory>();

  constructor(private readonly limits: HistoryLimits) {}

  append(draft: MessageDraft): Promise<AppendResult> {
    const history = this.roomToWrite(draft.room);
    const key =
      draft.clientMsgId === undefined
        ? undefined
        : idempotencyKey(draft.user.id, draft.clientMsgId);
    const earlier = key === undefined ? undefined : history.byClientMsgId.get(key);
    if (earlier) {
      return Promise.resolve({ created: false, message: earlier });
    }
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

  /** The room's history, now the most recently written; the least recent goes beyond the limit. */
  private roomToWrite(room: string): RoomHistory {
    let history = this.rooms.get(room);
    if (history) {
      this.rooms.delete(room);
    } else {
      history = {
        messages: new RingBuffer(this.limits.perRoom),
        lastOffset: 0,
        byClientMsgId: new Map(),
      };
      if (this.rooms.size >= this.limits.rooms) this.rooms.delete(this.rooms.keys().next().value!);
    }
    this.rooms.set(room, history);
    return history;
  }
}

function firstOffsetOf(history: RoomHistory): number {
  return history.lastOffset - history.messages.length + 1;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
