import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** The secret that the test servers sign hook requests with (HOOK_SECRET). */
export const TEST_HOOK_SECRET = 'a-hook-secret-of-32-characters!!';

/** One request as the backend received it. */
export interface ReceivedHook {
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body. */
  body: Record<string, unknown>;
  /** Whether `Switchboard-Signature` verifies with TEST_HOOK_SECRET within 5 minutes. */
  signed: boolean;
}

/** What a path answers: a status and a JSON body, a raw text, or nothing ever (`hang`). */
export type HookAnswer = { status?: number; body?: unknown; raw?: string } | 'hang';
export type Responder = (request: ReceivedHook) => HookAnswer | Promise<HookAnswer>;

/**
 * The application's backend as a test writes it: a real HTTP server on a free port whose paths
 * (`/connect`, `/join`, `/publish`, `/rpc`) answer as `answer` says, recording every request and
 * how many TCP connections it saw (keep-alive reuses them).
 */
export class HookBackend {
  readonly received: ReceivedHook[] = [];
  /** TCP connections accepted since the start. */
  connections = 0;
  private readonly responders = new Map<string, Responder>();
  private readonly sockets = new Set<Socket>();
  private readonly server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const received: ReceivedHook = {
        path: request.url ?? '/',
        headers: request.headers,
        body: JSON.parse(raw) as Record<string, unknown>,
        signed: verifies(request.headers['switchboard-signature'], raw),
      };
      this.received.push(received);
      const responder = this.responders.get(received.path) ?? (() => ({ status: 404 }));
      void Promise.resolve(responder(received)).then((answer) => respond(response, answer));
    });
  });

  constructor() {
    this.server.on('connection', (socket: Socket) => {
      this.connections += 1;
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** The URL of one of the backend's paths, such as `url('/rpc')`. */
  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** From now on, `path` answers with `responder`. */
  answer(path: string, responder: Responder): void {
    this.responders.set(path, responder);
  }

  /** The requests that `path` received. */
  receivedAt(path: string): ReceivedHook[] {
    return this.received.filter((request) => request.path === path);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

function respond(response: ServerResponse, answer: HookAnswer): void {
  if (answer === 'hang') return; // destroyed by close()
  const status = answer.status ?? 200;
  if (answer.raw !== undefined) {
    response.writeHead(status, { 'content-type': 'application/json' }).end(answer.raw);
    return;
  }
  const body = answer.body === undefined ? '' : JSON.stringify(answer.body);
  response.writeHead(status, { 'content-type': 'application/json' }).end(body);
}

function verifies(header: string | string[] | undefined, raw: string): boolean {
  const match = typeof header === 'string' ? /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header) : null;
  if (match === null) return false;
  const [, t, v1] = match;
  if (Math.abs(Date.now() / 1000 - Number(t)) > 300) return false;
  const expected = createHmac('sha256', TEST_HOOK_SECRET).update(`${t}.${raw}`).digest();
  return timingSafeEqual(expected, Buffer.from(v1, 'hex'));
}

/**
 * A backend for one `describe` block, started before its first test (and before the server of
 * `useServer`, when called first): `env` gets `HOOK_SECRET` and, for each of `hooks`, its
 * `HOOK_<NAME>_URL`, so that a server started from it asks this backend.
 */
export function useHookBackend(
  env: Record<string, string>,
  hooks: ('connect' | 'join' | 'publish' | 'rpc')[],
): { readonly backend: HookBackend } {
  let backend: HookBackend | undefined;
  beforeAll(async () => {
    backend = await new HookBackend().start();
    env.HOOK_SECRET = TEST_HOOK_SECRET;
    for (const hook of hooks) env[`HOOK_${hook.toUpperCase()}_URL`] = backend.url(`/${hook}`);
  });
  afterAll(() => backend?.close());
  return {
    get backend() {
      if (!backend) throw new Error('the hook backend is not started yet');
      return backend;
    },
  };
}

/**
 * Resolves once `condition` (about what the test's own backend received) holds, polling every
 * 10 ms for at most `timeoutMs`: the backend has no event to wait for when a request arrives.
 */
export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
