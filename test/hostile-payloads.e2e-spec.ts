import fc from 'fast-check';
import {
  ClientEvents,
  type ErrorCode,
  type Message,
  type MessagePage,
  type User,
} from '@switchboard/contract';
import { LocalSockets } from '../src/realtime/local-sockets.js';
import { closeAllClients, connect, nextEvent, ok, type TestClient } from './support/clients.js';
import {
  emissions,
  FUZZ_ROOMS,
  payloadsByEvent,
  unknownEventName,
  type Emission,
} from './support/hostile-payloads.js';
import { signToken, TEST_JWT_SECRET } from './support/tokens.js';
import { useServer } from './support/server.js';

const ERROR_CODES = new Set(
  Object.keys({
    VALIDATION_FAILED: true,
    UNAUTHORIZED: true,
    FORBIDDEN: true,
    NOT_FOUND: true,
    CONFLICT: true,
    RATE_LIMITED: true,
    PAYLOAD_TOO_LARGE: true,
    UNKNOWN_EVENT: true,
    INTERNAL: true,
    UNAVAILABLE: true,
  } satisfies Record<ErrorCode, true>),
);

/** Runs per property: enough to reach the odd corners, few enough to keep the suite quick. */
const RUNS = 200;

/** What is wrong with `value` as a contract `Reply`, or undefined when nothing is. */
function replyProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const reply = value as Record<string, unknown>;
  const keys = Object.keys(reply).sort().join();
  if (reply.ok === true) return keys === 'data,ok' && reply.data !== undefined ? undefined : keys;
  if (reply.ok !== false || keys !== 'error,ok') return `keys ${keys}, ok ${String(reply.ok)}`;
  return failureProblem(reply.error, ['code', 'message', 'details']);
}

/** What is wrong with an `error` object (of a reply, or the `error` event), or undefined. */
function failureProblem(value: unknown, allowedKeys: string[]): string | undefined {
  if (typeof value !== 'object' || value === null) return 'error is not an object';
  const error = value as Record<string, unknown>;
  if (!ERROR_CODES.has(error.code as string)) return `code ${String(error.code)}`;
  if (typeof error.message !== 'string') return 'message is not a string';
  const unexpected = Object.keys(error).filter((key) => !allowedKeys.includes(key));
  return unexpected.length === 0 ? undefined : `unexpected keys ${unexpected.join()}`;
}

function errorEventProblem(value: unknown): string | undefined {
  const event = (value ?? {}) as Record<string, unknown>;
  if (typeof event.event !== 'string') return 'event is not a string';
  return failureProblem(value, ['event', 'code', 'message', 'details']);
}

describe('hostile payloads on every client event, over a real connection', () => {
  const server = useServer({
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    RATE_LIMIT_PER_SEC: '100000',
    RATE_LIMIT_BURST: '100000',
    HISTORY_LIMIT: '100000',
    // Fuzzed joins of valid names add rooms; the senders must still get into the fuzzed ones.
    ROOM_MAX_PER_SOCKET: '10000',
    NOTIFY_ACK_TIMEOUT_MS: '100',
  });
  /** Two tabs of an admin and a guest, who send; a warden in every fuzzed room, who watches. */
  let senders: TestClient[] = [];
  let warden: TestClient;
  const errorEventProblems: string[] = [];
  /** Per event name: how many were sent without a callback, and how many `error` events came back. */
  const sentWithoutAck = new Map<string, number>();
  const errorEvents = new Map<string, number>();
  /** The reply codes (OK for a success) each event got, to show that real work was done too. */
  const outcomes = new Map<string, Set<string>>();
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

  beforeAll(async () => {
    const token = await signToken({ sub: 'fuzz-alice', name: 'Alice', roles: ['admin'] });
    senders = [
      await connect(server.url, { token }),
      await connect(server.url, { token }),
      await connect(server.url, { name: 'bob' }),
    ];
    warden = await connect(server.url, { name: 'warden' });
    for (const room of FUZZ_ROOMS) await ok(warden, 'room:join', { room });
    for (const socket of [...senders, warden]) {
      socket.on('error', (event: unknown) => {
        const problem = errorEventProblem(event);
        if (problem !== undefined) errorEventProblems.push(`${problem}: ${JSON.stringify(event)}`);
        const name = String((event as { event?: unknown }).event);
        errorEvents.set(name, (errorEvents.get(name) ?? 0) + 1);
      });
    }
  });
  afterAll(() => closeAllClients());

  async function send(event: string, { payload, extraArguments, withAck, sender }: Emission) {
    const socket = senders[sender];
    if (withAck) {
      const reply: unknown = await socket
        .timeout(5000)
        .emitWithAck(event, payload, ...extraArguments);
      expect(replyProblem(reply)).toBeUndefined();
      const { ok: succeeded, error } = reply as { ok: boolean; error?: { code: string } };
      const seen = outcomes.get(event) ?? new Set<string>();
      outcomes.set(event, seen.add(succeeded ? 'OK' : (error?.code ?? '')));
    } else {
      socket.emit(event, payload, ...extraArguments);
      sentWithoutAck.set(String(event), (sentWithoutAck.get(String(event)) ?? 0) + 1);
      // Keeps pace with the server, and shows that the socket still answers.
      await ok(socket, ClientEvents.sessionPing);
    }
    expect(socket.connected).toBe(true);
  }

  const fuzzed = Object.entries(payloadsByEvent).map(([event, payload]) => ({ event, payload }));

  it.each(fuzzed)(
    '$event: every reply is a Reply and the socket stays',
    async ({ event, payload }) => {
      // In the rooms that the payloads name, whatever earlier properties left, so that they can succeed.
      for (const socket of senders) {
        for (const room of FUZZ_ROOMS) await ok(socket, 'room:join', { room });
      }
      await fc.assert(
        fc.asyncProperty(emissions(payload, senders.length), (emission) => send(event, emission)),
        { numRuns: RUNS },
      );
      expect(outcomes.get(event)).toContain('OK');
      await expectInvariants();
    },
  );

  it('an unknown event name: every reply is a Reply and the socket stays', async () => {
    await fc.assert(
      fc.asyncProperty(
        unknownEventName,
        emissions(fc.anything({ maxDepth: 2 }), senders.length),
        async (event, emission) => {
          await send(event, emission);
          if (emission.withAck) expect(outcomes.get(event)).toEqual(new Set(['UNKNOWN_EVENT']));
        },
      ),
      { numRuns: RUNS },
    );
    await expectInvariants();
  });

  it('answers an event named by a number as an unknown event, named as a string', async () => {
    const [socket] = senders as [TestClient];
    const errorEvent = nextEvent(socket, 'error');

    socket.emit(42 as unknown as string, {});

    expect(await errorEvent).toEqual({
      event: '42',
      code: 'UNKNOWN_EVENT',
      message: expect.any(String),
    });
  });

  /** What must hold whatever was sent: sockets up, offsets gapless, presence true, no repeats. */
  async function expectInvariants(): Promise<void> {
    for (const socket of [...senders, warden]) await ok(socket, ClientEvents.sessionPing);
    expect(errorEventProblems).toEqual([]);
    const answeredTooOften = [...errorEvents].filter(
      ([name, count]) => count > (sentWithoutAck.get(name) ?? 0),
    );
    expect(answeredTooOften).toEqual([]);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    for (const room of FUZZ_ROOMS) {
      const { lastOffset } = await ok<{ lastOffset: number }>(warden, 'room:join', { room });
      const messages = await wholeHistory(room);
      expect(messages.map((message) => message.offset)).toEqual(
        Array.from({ length: lastOffset }, (_, index) => index + 1),
      );
      const retries = messages.flatMap((message) =>
        message.clientMsgId === undefined ? [] : [`${message.user.id} ${message.clientMsgId}`],
      );
      expect(retries).toEqual([...new Set(retries)]);

      const { members } = await ok<{ members: User[] }>(warden, 'room:members', { room });
      expect(idsOf(members)).toEqual(usersInRoom(room));
    }
  }

  async function wholeHistory(room: string): Promise<Message[]> {
    const messages: Message[] = [];
    for (let page: MessagePage | undefined; page === undefined || page.hasMore;) {
      page = await ok<MessagePage>(warden, 'chat:history', {
        room,
        after: messages.at(-1)?.offset ?? 0,
        limit: 100,
      });
      messages.push(...page.messages);
      if (page.messages.length === 0) break;
    }
    return messages;
  }

  /** Who is in the room by Socket.IO's own rooms, not by what the presence store says. */
  function usersInRoom(room: string): string[] {
    const localSockets = server.app.get(LocalSockets);
    const inRoom = [...senders, warden].filter((socket) =>
      localSockets.chatRoomsOf(socket.id ?? '').includes(room),
    );
    return [...new Set(inRoom.map((socket) => socket.welcome.user.id))].sort();
  }
});

function idsOf(users: readonly User[]): string[] {
  return users.map((user) => user.id).sort();
}
