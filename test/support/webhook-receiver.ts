import { createHmac, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { WebhookEvent } from '@switchboard/contract';

/** A delivery as the receiver got it. */
export interface ReceivedDelivery {
  /** When its request ended, by the receiver's clock (ms since the epoch). */
  at: number;
  headers: IncomingHttpHeaders;
  rawBody: string;
  events: WebhookEvent[];
  /** What the receiver answered: a status, or `hang` (no answer at all). */
  answer: number | 'hang';
}

/** What the receiver answers the `n`th delivery (0 for the first): a status, or no answer. */
export type Answering = (n: number, delivery: Omit<ReceivedDelivery, 'answer'>) => number | 'hang';

const WAIT_TIMEOUT_MS = 20_000;

/**
 * The application's backend, as a test plays it: an HTTP server on a free loopback port that
 * records every delivery and answers as `answering` says (200 unless told).
 */
export class WebhookReceiver {
  readonly deliveries: ReceivedDelivery[] = [];
  private readonly changes = new EventEmitter();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    public answering: Answering,
  ) {}

  static async start(answering: Answering = () => 200): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server, answering);
    server.on('connection', (socket) => {
      receiver.sockets.add(socket);
      socket.once('close', () => receiver.sockets.delete(socket));
    });
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString();
        const parsed = JSON.parse(rawBody) as { events: WebhookEvent[] };
        const delivery = {
          at: Date.now(),
          headers: request.headers,
          rawBody,
          events: parsed.events,
        };
        const answer = receiver.answering(receiver.deliveries.length, delivery);
        receiver.deliveries.push({ ...delivery, answer });
        receiver.changes.emit('delivery');
        if (answer !== 'hang') response.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks`;
  }

  /** Every event of the deliveries answered 2xx, in the order they arrived. */
  get accepted(): WebhookEvent[] {
    return this.deliveries
      .filter((delivery) => typeof delivery.answer === 'number' && delivery.answer < 300)
      .flatMap((delivery) => delivery.events);
  }

  /** Resolves once `condition` holds (checked at each delivery), or fails after a bound. */
  until(condition: (receiver: this) => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition(this)) return;
        cleanUp();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanUp();
        reject(new Error(`the receiver did not get ${what} within ${WAIT_TIMEOUT_MS} ms`));
      }, WAIT_TIMEOUT_MS);
      const cleanUp = () => {
        clearTimeout(timer);
        this.changes.off('delivery', check);
      };
      this.changes.on('delivery', check);
      check();
    });
  }

  /** Until `count` events were accepted. */
  untilAccepted(count: number): Promise<void> {
    return this.until((receiver) => receiver.accepted.length >= count, `${count} events`);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const SIGNATURE_MAX_AGE_SECONDS = 300;

/**
 * Whether `header` is a valid Switchboard-Signature of `rawBody` under `secret`, written from the
 * protocol's words, independently of the server's code: `t=<unix s>,v1=<hex HMAC-SHA256 of
 * "<t>.<raw body>">`, `t` at most 5 minutes old.
 */
export function signatureIsValid(
  secret: string,
  header: string | string[] | undefined,
  rawBody: string,
): boolean {
  if (Array.isArray(header)) return false;
  const parts = new Map(
    (header ?? '').split(',').map((part) => part.split('=', 2) as [string, string]),
  );
  const t = Number(parts.get('t'));
  const v1 = Buffer.from(parts.get('v1') ?? '', 'hex');
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > SIGNATURE_MAX_AGE_SECONDS) {
    return false;
  }
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  return v1.length === expected.length && timingSafeEqual(v1, expected);
}
