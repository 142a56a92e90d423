import type {
  ClientEventName,
  ClientToServerEvents,
  ReplyData,
  Failure,
  Reply,
} from '@switchboard/contract';
import { SwitchboardError } from './switchboard-error.js';

/** The payload of a client event, `undefined` for one that takes none (`session:ping`). */
export type PayloadOf<E extends ClientEventName> =
  Parameters<ClientToServerEvents[E]> extends [infer Payload, unknown] ? Payload : undefined;

/** The arguments of `request(event, ...)`: the payload, or nothing for an event without one. */
export type RequestArgs<E extends ClientEventName> =
  Parameters<ClientToServerEvents[E]> extends [infer Payload, unknown] ? [payload: Payload] : [];

export interface RequestPolicy {
  /** Sent again when the connection drops before the reply: only for what the server repeats safely. */
  resendAfterDrop: boolean;
  /** Sent again when no reply came in time, instead of failing with TIMEOUT. */
  resendAfterTimeout: boolean;
  /** May go out while the rooms are re-joined after a reconnection (the re-joins, their catch-up). */
  beforeRejoined: boolean;
  /**
   * One at a time, in the order asked: a room's offsets follow the order in which the server
   * handles sends, so two sends in flight at once could be stored in either order.
   */
  inOrder: boolean;
}

export type Requester = <E extends ClientEventName>(
  event: E,
  payload: PayloadOf<E>,
  policy?: Partial<RequestPolicy>,
) => Promise<ReplyData<E>>;

/** Puts one event on the wire with its reply callback. */
export type Transmit = (
  event: ClientEventName,
  payload: unknown,
  onReply: (reply: Reply<unknown>) => void,
) => void;

interface PendingRequest {
  /** The position asked in: a request sent again keeps its place ahead of later ones. */
  readonly order: number;
  readonly event: ClientEventName;
  readonly payload: unknown;
  readonly policy: RequestPolicy;
  resolve(data: unknown): void;
  reject(error: SwitchboardError): void;
  /** The current transmission: a late reply to an earlier one is ignored. */
  transmission?: object;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * The server allows 20 events a second in bursts of 40 per socket, and ends the session of one
 * that goes on after 40 refusals within 5 s. A few requests in flight keep a page responsive; on
 * a refusal the queue pauses, doubling the pause while refusals go on, and sends one at a time
 * until replies come back.
 */
const MAX_IN_FLIGHT = 8;
const FIRST_PAUSE_MS = 250;
const LONGEST_PAUSE_MS = 8_000;

type Phase = 'down' | 'rejoining' | 'ready' | 'closed';

/**
 * Every request of a Switchboard: held while the connection is down, sent in order within the
 * bounds above, timed out, sent again or failed as its policy says, and failed with CLOSED at the
 * end. The timeout counts from when a request goes out, not from when it was asked.
 */
export class RequestQueue {
  private phase: Phase = 'down';
  private readonly waiting: PendingRequest[] = [];
  private readonly inFlight = new Set<PendingRequest>();
  private nextOrder = 0;
  private window = MAX_IN_FLIGHT;
  private pausesInARow = 0;
  private pauseTimer: ReturnType<typeof setTimeout> | undefined;
  private closedWith: SwitchboardError | undefined;

  constructor(
    private readonly transmit: Transmit,
    private readonly timeoutMs: number,
  ) {}

  request(event: ClientEventName, payload: unknown, policy: RequestPolicy): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
      this.enqueue({ order: this.nextOrder++, event, payload, policy, resolve, reject });
      this.pump();
    });
  }

  /** Connected and welcomed: only `beforeRejoined` requests go out until `ready()`. */
  rejoining(): void {
    if (this.phase === 'closed') return;
    this.phase = 'rejoining';
    this.pump();
  }

  ready(): void {
    if (this.phase === 'closed') return;
    this.phase = 'ready';
    this.pump();
  }

  /** The connection dropped: no reply to what is in flight will come. */
  down(): void {
    if (this.phase === 'closed') return;
    this.phase = 'down';
    for (const request of this.inFlight) {
      this.settleTransmission(request);
      if (request.policy.resendAfterDrop) this.enqueue(request);
      else {
        request.reject(
          new SwitchboardError(
            'TIMEOUT',
            `the connection dropped before ${request.event} was answered`,
          ),
        );
      }
    }
    this.inFlight.clear();
  }

  /** Fails everything waiting or in flight with `error`, and every later request too. */
  close(error: SwitchboardError): void {
    this.phase = 'closed';
    this.closedWith = error;
    clearTimeout(this.pauseTimer);
    this.pauseTimer = undefined;
    const pending = [...this.inFlight, ...this.waiting];
    this.inFlight.clear();
    this.waiting.length = 0;
    for (const request of pending) {
      this.settleTransmission(request);
      request.reject(error);
    }
  }

  private enqueue(request: PendingRequest): void {
    const later = this.waiting.findIndex((waiting) => waiting.order > request.order);
    this.waiting.splice(later === -1 ? this.waiting.length : later, 0, request);
  }

  private pump(): void {
    if (this.phase === 'down' || this.phase === 'closed' || this.pauseTimer) return;
    let orderedInFlight = [...this.inFlight].some((request) => request.policy.inOrder);
    for (let index = 0; index < this.waiting.length && this.inFlight.size < this.window;) {
      const request = this.waiting[index];
      const phaseAllows = this.phase === 'ready' || request.policy.beforeRejoined;
      if (!phaseAllows || (request.policy.inOrder && orderedInFlight)) {
        index++;
        continue;
      }
      orderedInFlight ||= request.policy.inOrder;
      this.waiting.splice(index, 1);
      this.send(request);
    }
  }

  private send(request: PendingRequest): void {
    const transmission = {};
    request.transmission = transmission;
    request.timer = setTimeout(() => this.timedOut(request, transmission), this.timeoutMs);
    this.inFlight.add(request);
    this.transmit(request.event, request.payload, (reply) =>
      this.replied(request, transmission, reply),
    );
  }

  private replied(request: PendingRequest, transmission: object, reply: Reply<unknown>): void {
    if (request.transmission !== transmission) return;
    this.settleTransmission(request);
    this.inFlight.delete(request);
    if (!reply.ok && asksToSlowDown(reply.error)) {
      // Refused before the server did anything: always safe to send again.
      this.enqueue(request);
      this.pause();
      return;
    }
    this.pausesInARow = 0;
    this.window = Math.min(MAX_IN_FLIGHT, this.window + 1);
    if (reply.ok) request.resolve(reply.data);
    else {
      const { code, message, details } = reply.error;
      request.reject(new SwitchboardError(code, message, details));
    }
    this.pump();
  }

  private timedOut(request: PendingRequest, transmission: object): void {
    if (request.transmission !== transmission) return;
    this.settleTransmission(request);
    this.inFlight.delete(request);
    if (request.policy.resendAfterTimeout) this.enqueue(request);
    else {
      request.reject(
        new SwitchboardError('TIMEOUT', `no reply to ${request.event} within ${this.timeoutMs} ms`),
      );
    }
    this.pump();
  }

  private pause(): void {
    this.window = 1;
    if (this.pauseTimer) return;
    const pauseMs = Math.min(FIRST_PAUSE_MS * 2 ** this.pausesInARow, LONGEST_PAUSE_MS);
    this.pausesInARow++;
    this.pauseTimer = setTimeout(() => {
      this.pauseTimer = undefined;
      this.pump();
    }, pauseMs);
  }

  private settleTransmission(request: PendingRequest): void {
    clearTimeout(request.timer);
    request.timer = undefined;
    request.transmission = undefined;
  }
}

/**
 * A RATE_LIMITED refusal asks to send more slowly, unless its details name a limit (a room that
 * may not start a history now): the same request would meet that one again, for up to an hour.
 */
function asksToSlowDown({ code, details }: Failure['error']): boolean {
  return (
    code === 'RATE_LIMITED' && (details as { limit?: unknown } | undefined)?.limit === undefined
  );
}
