import type { QueuedWebhookEntry } from '../webhook-queue.js';
import type { RedisCommands } from './redis-client.js';
import type { RedisKeys } from './redis-keys.js';
import {
  REMOVE_FROM_OUTBOX,
  WEBHOOK_ENTRY_JSON_FIELD,
  WEBHOOK_ENTRY_TS_FIELD,
  WEBHOOK_MARKER_ROOM_FIELD,
  WEBHOOK_MARKER_UP_TO_FIELD,
} from './redis-webhook-queue.scripts.js';

/** An entry of a Redis stream as XRANGE gives it. */
export type StreamEntry = [id: string, fields: string[]];

/**
 * Separates the parts of an outbox event's position in a head: no room name, and no stream id,
 * holds it, so a position with it is an outbox event's, one without a partition entry's.
 */
const SEPARATOR = '/';

interface Marker {
  id: string;
  room: string;
  upTo: string;
}

/** A partition entry as the head gives it (markers are read apart, see markerOf). */
export function entryOf([position, fields]: StreamEntry): QueuedWebhookEntry {
  let ts = 0;
  let json = 'null';
  for (let i = 0; i < fields.length; i += 2) {
    if (fields[i] === WEBHOOK_ENTRY_TS_FIELD) ts = Number(fields[i + 1]);
    else if (fields[i] === WEBHOOK_ENTRY_JSON_FIELD) json = fields[i + 1];
  }
  return { position, ts, json };
}

function markerOf([id, fields]: StreamEntry): Marker | undefined {
  let room: string | undefined;
  let upTo: string | undefined;
  for (let i = 0; i < fields.length; i += 2) {
    if (fields[i] === WEBHOOK_MARKER_ROOM_FIELD) room = fields[i + 1];
    else if (fields[i] === WEBHOOK_MARKER_UP_TO_FIELD) upTo = fields[i + 1];
  }
  return room === undefined || upTo === undefined ? undefined : { id, room, upTo };
}

/** Whether stream id `a` ("ms-seq") comes after `b`. */
function after(a: string, b: string): boolean {
  const [aMs, aSeq] = a.split('-').map(BigInt);
  const [bMs, bSeq] = b.split('-').map(BigInt);
  return aMs > bMs || (aMs === bMs && aSeq > bSeq);
}

/**
 * A partition's head on a Redis Cluster, where the partition holds markers (WebhookMarker) beside
 * events: each marker reads, in its place, the events of its room's outbox up to its own that no
 * earlier marker read. A room's events enter its outbox in offset order and only the partition's
 * lease holder reads it, so they leave in that order whichever node wrote each marker, and
 * whichever marker came first. A marker with nothing left to read is removed on the way.
 */
export class WebhookOutboxes {
  constructor(
    private readonly redis: RedisCommands,
    private readonly keys: RedisKeys,
  ) {}

  async head(partition: number, limit: number): Promise<QueuedWebhookEntry[]> {
    const stream = this.keys.webhookEvents(partition);
    const head: QueuedWebhookEntry[] = [];
    /** Each room's last outbox event taken by this head. */
    const taken = new Map<string, string>();
    let start = '-';
    for (let end = false; head.length < limit && !end;) {
      const count = limit - head.length;
      const page = (await this.redis.xrange(stream, start, '+', 'COUNT', count)) as StreamEntry[];
      // A short page is the stream's last: no second round trip to learn that.
      end = page.length < count;
      if (page.length === 0) break;
      start = `(${page[page.length - 1][0]}`;
      const outboxes = await this.outboxesOf(page, taken, limit - head.length);
      const spent: string[] = [];
      for (const entry of page) {
        if (head.length >= limit) break;
        const marker = markerOf(entry);
        if (marker === undefined) {
          head.push(entryOf(entry));
          continue;
        }
        const events = outboxes.get(marker.room)!;
        const before = head.length;
        while (events.length > 0 && !after(events[0][0], marker.upTo) && head.length < limit) {
          const event = entryOf(events.shift()!);
          const parts = [marker.id, marker.upTo, marker.room, event.position];
          head.push({ ...event, position: parts.join(SEPARATOR) });
          taken.set(marker.room, event.position);
        }
        if (head.length === before) spent.push(marker.id);
      }
      if (spent.length > 0) await this.redis.xdel(stream, ...spent);
    }
    return head;
  }

  /**
   * The outbox events that the page's markers may read, by room: those after what this head took,
   * up to the room's last marker of the page, at most `count` (no more can fit).
   */
  private async outboxesOf(
    page: StreamEntry[],
    taken: Map<string, string>,
    count: number,
  ): Promise<Map<string, StreamEntry[]>> {
    const upTo = new Map<string, string>();
    for (const entry of page) {
      const marker = markerOf(entry);
      const last = marker && upTo.get(marker.room);
      if (marker && (last === undefined || after(marker.upTo, last))) {
        upTo.set(marker.room, marker.upTo);
      }
    }
    const reads = [...upTo].map(async ([room, end]) => {
      const from = taken.get(room);
      const events = (await this.redis.xrange(
        this.keys.webhookOutbox(room),
        from === undefined ? '-' : `(${from}`,
        end,
        'COUNT',
        count,
      )) as StreamEntry[];
      return [room, events] as const;
    });
    return new Map(await Promise.all(reads));
  }

  /**
   * Removes delivered events: those of outboxes from their outbox, then from the partition its
   * other entries and the markers that have nothing left to read.
   */
  async remove(partition: number, positions: readonly string[]): Promise<void> {
    const inPartition: string[] = [];
    const byRoom = new Map<string, { events: string[]; markers: Map<string, string> }>();
    for (const position of positions) {
      const [markerId, upTo, room, event] = position.split(SEPARATOR);
      if (event === undefined) {
        inPartition.push(position);
        continue;
      }
      let outbox = byRoom.get(room);
      if (outbox === undefined) byRoom.set(room, (outbox = { events: [], markers: new Map() }));
      outbox.events.push(event);
      outbox.markers.set(markerId, upTo);
    }
    const done = await Promise.all(
      [...byRoom].map(async ([room, { events, markers }]) => {
        const flags = (await REMOVE_FROM_OUTBOX.run(
          this.redis,
          [this.keys.webhookOutbox(room)],
          [events.length, ...events, ...markers.values()],
        )) as number[];
        return [...markers.keys()].filter((_, index) => flags[index] === 1);
      }),
    );
    const gone = inPartition.concat(...done);
    if (gone.length > 0) await this.redis.xdel(this.keys.webhookEvents(partition), ...gone);
  }
}
