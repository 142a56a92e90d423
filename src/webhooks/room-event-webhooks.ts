import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { RoomEvent } from '@switchboard/contract';
import { binaryAsBase64 } from '../common/binary-json.js';
import { Webhooks } from './webhooks.js';

/**
 * `room.event`: the custom events of rooms whose name matches WEBHOOK_ROOM_EVENTS (each pattern
 * exact, or a prefix when it ends in `*`). With none, or the type not sent, `wanted` is false and
 * a relayed event costs that one check.
 */
@Injectable()
export class RoomEventWebhooks {
  private readonly exact: ReadonlySet<string>;
  private readonly prefixes: readonly string[];
  /** Whether any custom event is told at all. */
  readonly wanted: boolean;

  constructor(
    private readonly webhooks: Webhooks,
    config: AppConfig,
  ) {
    const patterns = config.webhooks?.roomEventPatterns ?? [];
    this.exact = new Set(patterns.filter((pattern) => !pattern.endsWith('*')));
    this.prefixes = patterns
      .filter((pattern) => pattern.endsWith('*'))
      .map((pattern) => pattern.slice(0, -1));
    this.wanted = webhooks.wants('room.event') && patterns.length > 0;
  }

  /** Whether an event of this name is told. */
  matches(event: string): boolean {
    return this.exact.has(event) || this.prefixes.some((prefix) => event.startsWith(prefix));
  }

  /** Tells the relayed event when its name matches, in its room's partition. */
  relayed(roomEvent: RoomEvent): void {
    if (!this.wanted || !this.matches(roomEvent.event)) return;
    this.webhooks.record(
      'room.event',
      { ...roomEvent, data: binaryAsBase64(roomEvent.data) },
      `room:${roomEvent.room}`,
    );
  }
}
