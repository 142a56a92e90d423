import type { Message } from '@switchboard/contract';

/**
 * A room's messages in offset order, each once. Offsets grow by exactly one per stored message,
 * so a message past the next expected offset means that some are missing: it is held until the
 * missing ones arrive (from `chat:history`), and only then delivered.
 */
export class MessageSequence {
  private newestDelivered: number;
  private newestDeliveredId: string | undefined;
  private readonly held = new Map<number, Message>();

  constructor(
    private readonly deliver: (message: Message) => void,
    startAfter = 0,
  ) {
    this.newestDelivered = startAfter;
  }

  /** The newest offset delivered (or skipped as gone for good). */
  get lastOffset(): number {
    return this.newestDelivered;
  }

  /** The id of the message at `lastOffset`, when this sequence delivered it. */
  get lastMessageId(): string | undefined {
    return this.newestDeliveredId;
  }

  /** Whether messages are held behind missing ones. */
  get hasGap(): boolean {
    return this.held.size > 0;
  }

  /** Delivers the message, and any held ones it unblocks; drops a duplicate; holds one past a gap. */
  accept(message: Message): void {
    if (message.offset <= this.newestDelivered || this.held.has(message.offset)) return;
    this.held.set(message.offset, message);
    this.flush();
  }

  /**
   * A `chat:history { after: lastOffset }` page. The server answers with the first stored
   * messages past `after`: whatever lies between `after` and the page's first message has left the
   * server's history window and will never come, so the sequence moves past it.
   */
  acceptPage(messages: readonly Message[]): void {
    const first = messages[0];
    if (first) this.skipTo(first.offset - 1);
    for (const message of messages) this.accept(message);
  }

  /** Forgets everything: the room's history was reset, and offsets start again from 1. */
  reset(): void {
    this.newestDelivered = 0;
    this.newestDeliveredId = undefined;
    this.held.clear();
  }

  private skipTo(offset: number): void {
    if (offset <= this.newestDelivered) return;
    this.newestDelivered = offset;
    this.newestDeliveredId = undefined;
    for (const heldOffset of this.held.keys()) {
      if (heldOffset <= offset) this.held.delete(heldOffset);
    }
    this.flush();
  }

  /** History has nothing between what was delivered and what is held: deliver what is held. */
  skipToHeld(): void {
    if (this.held.size > 0) this.skipTo(Math.min(...this.held.keys()) - 1);
  }

  private flush(): void {
    for (;;) {
      const next = this.held.get(this.newestDelivered + 1);
      if (!next) return;
      this.held.delete(next.offset);
      this.newestDelivered = next.offset;
      this.newestDeliveredId = next.id;
      this.deliver(next);
    }
  }
}
