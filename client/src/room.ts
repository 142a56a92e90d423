import type {
  JoinResult,
  Message,
  MessagePage,
  Relayed,
  RoomEvent,
  TypingEvent,
  User,
} from '@switchboard/contract';
import { newClientMsgId } from './client-msg-id.js';
import { Listeners } from './listeners.js';
import { MessageSequence } from './message-sequence.js';
import type { Requester } from './request-queue.js';
import { SwitchboardError } from './switchboard-error.js';

export interface RoomEvents {
  [name: string]: (...args: never[]) => unknown;
  /** Every stored message once, own sends included, in offset order, without a gap. */
  message: (message: Message) => void;
  members: (members: User[]) => void;
  typing: (typing: Omit<TypingEvent, 'room'>) => void;
  event: (event: Omit<RoomEvent, 'room'>) => void;
  /** The server's history was reset: delivery starts again from offset 1. */
  reset: () => void;
}

export interface HistoryOptions {
  after?: number;
  before?: number;
  limit?: number;
}

/** What a Room needs from its Switchboard. */
export interface RoomLink {
  request: Requester;
  /** The room was left: stop routing its events to it. */
  forget(room: Room): void;
}

/** The most that `chat:history` returns at once. */
const HISTORY_PAGE = 100;

/**
 * A joined room. It starts at the room's newest offset when joined (older messages are read with
 * `history()`), and from then on delivers every message once and in order, catching up with
 * `chat:history` whenever it notices a gap.
 */
export class Room {
  readonly name: string;
  private currentMembers: User[];
  private readonly listeners = new Listeners<RoomEvents>();
  private readonly sequence: MessageSequence;
  private catchingUp = false;
  private catchUpAgain = false;

  /** Made by `Switchboard.join`. */
  constructor(
    private readonly link: RoomLink,
    joined: JoinResult,
    private readonly roomToken?: string,
  ) {
    this.name = joined.room;
    this.currentMembers = joined.members;
    this.sequence = new MessageSequence(
      (message) => this.listeners.emit('message', message),
      joined.lastOffset,
    );
  }

  /** Every present user; a new array on each change. */
  get members(): User[] {
    return this.currentMembers;
  }

  /** The newest offset delivered to 'message' listeners (the room's newest when joined). */
  get lastOffset(): number {
    return this.sequence.lastOffset;
  }

  on<E extends keyof RoomEvents>(name: E, listener: RoomEvents[E]): () => void {
    return this.listeners.on(name, listener);
  }

  off<E extends keyof RoomEvents>(name: E, listener: RoomEvents[E]): void {
    this.listeners.off(name, listener);
  }

  /**
   * Resolves with the stored message. One `clientMsgId` for every attempt, so that a send retried
   * after a timeout or a drop is stored once.
   */
  async send(text: string): Promise<Message> {
    const message = await this.link.request('chat:send', {
      room: this.name,
      text,
      clientMsgId: newClientMsgId(),
    });
    this.receive(message);
    return message;
  }

  async typing(typing: boolean): Promise<void> {
    await this.link.request('chat:typing', { room: this.name, typing });
  }

  emit(event: string, data?: unknown): Promise<Relayed> {
    return this.link.request(
      'room:emit',
      data === undefined ? { room: this.name, event } : { room: this.name, event, data },
    );
  }

  history(query: HistoryOptions = {}): Promise<MessagePage> {
    return this.link.request('chat:history', { room: this.name, ...query });
  }

  /** Leaves the room; a room that the server no longer counts this socket in is left already. */
  async leave(): Promise<void> {
    try {
      await this.link.request('room:leave', { room: this.name });
    } catch (error) {
      if (!(error instanceof SwitchboardError && error.code === 'NOT_FOUND')) throw error;
    }
    this.link.forget(this);
  }

  /** A message of this room, from `chat:message` or a send's reply. */
  receive(message: Message): void {
    this.sequence.accept(message);
    if (this.sequence.hasGap) void this.catchUp();
  }

  /** After a reconnection whose session was recovered: fill a gap left by the drop, if any. */
  resume(): void {
    if (this.sequence.hasGap) void this.catchUp();
  }

  /**
   * Joins again after a reconnection that lost the session, catching up from the last offset
   * delivered. It asks from one before that offset, so that the reply shows whether the message
   * there is still the one delivered: if not (or if the room's newest offset went back), the
   * server's history was reset.
   */
  async rejoin(): Promise<void> {
    const seen = this.sequence.lastOffset;
    const seenId = this.sequence.lastMessageId;
    const joined = await this.link.request(
      'room:join',
      { room: this.name, after: Math.max(0, seen - 1), ...this.tokenField() },
      { beforeRejoined: true, resendAfterDrop: false },
    );
    this.setMembers(joined.members);
    const first = joined.missed[0];
    const replaced = first?.offset === seen && seenId !== undefined && first.id !== seenId;
    if (joined.lastOffset < seen || replaced) {
      this.sequence.reset();
      this.listeners.emit('reset');
      void this.catchUp();
      return;
    }
    this.sequence.acceptPage(joined.missed);
    if (joined.hasMore || this.sequence.hasGap) void this.catchUp();
  }

  joinedBy(user: User): void {
    if (this.currentMembers.some((member) => member.id === user.id)) return;
    this.setMembers([...this.currentMembers, user]);
  }

  leftBy(user: User): void {
    if (!this.currentMembers.some((member) => member.id === user.id)) return;
    this.setMembers(this.currentMembers.filter((member) => member.id !== user.id));
  }

  typingOf({ user, typing }: TypingEvent): void {
    this.listeners.emit('typing', { user, typing });
  }

  eventOf({ event, data, user, ts }: RoomEvent): void {
    this.listeners.emit('event', { event, data, user, ts });
  }

  /** Drops every listener (the Switchboard was closed). */
  detach(): void {
    this.listeners.clear();
  }

  private setMembers(members: User[]): void {
    this.currentMembers = members;
    this.listeners.emit('members', members);
  }

  private tokenField(): { token?: string } {
    return this.roomToken === undefined ? {} : { token: this.roomToken };
  }

  /**
   * Pages through `chat:history { after: lastOffset }` until nothing newer is stored and nothing
   * is held behind a gap. One catch-up at a time; a request for another while it runs makes it go
   * round once more. It gives up when a page fails (the connection dropped, or the server could
   * not answer): the next re-join or the next message past the gap starts it again.
   */
  private async catchUp(): Promise<void> {
    if (this.catchingUp) {
      this.catchUpAgain = true;
      return;
    }
    this.catchingUp = true;
    try {
      do {
        this.catchUpAgain = false;
        const page = await this.link.request(
          'chat:history',
          { room: this.name, after: this.sequence.lastOffset, limit: HISTORY_PAGE },
          // Not sent again on another connection: there the socket may not be in the room yet.
          { beforeRejoined: true, resendAfterDrop: false },
        );
        if (page.messages.length === 0) this.sequence.skipToHeld();
        else this.sequence.acceptPage(page.messages);
        if (page.hasMore) this.catchUpAgain = true;
      } while (this.catchUpAgain || this.sequence.hasGap);
    } catch {
      // Given up, as said above.
    } finally {
      this.catchingUp = false;
    }
  }
}
