import { once } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import type { Notification, Reply, Welcome } from '@switchboard/contract';
import type { Traffic } from '../src/index.js';
import { closeAllSwitchboards, openSwitchboard } from '../../test/support/switchboards.js';

/**
 * A stand-in server that says what a real one says in the situations that are hard to bring about
 * on cue: a re-join refused while Redis is away, and a notification replayed by Socket.IO's
 * connection state recovery, which replays packets without their acknowledgement ids.
 */
class ScriptedServer {
  readonly io: Server;
  readonly joins: string[] = [];
  /** What `room:join` answers, in turn; then every join succeeds. */
  joinRefusals: Reply<never>[] = [];
  /** Whether the next welcome says the session was recovered. */
  recoverNext = false;
  private connections = 0;
  onConnection: (socket: Socket) => void = () => undefined;

  private constructor(private readonly http: HttpServer) {
    this.io = new Server(http);
    this.io.on('connection', (socket) => {
      this.connections++;
      const welcome: Welcome = {
        socketId: socket.id,
        user: { id: 'user-1', name: 'One' },
        recovered: this.recoverNext,
        serverTime: Date.now(),
      };
      socket.on('room:join', ({ room }: { room: string }, reply: (answer: unknown) => void) => {
        this.joins.push(room);
        reply(
          this.joinRefusals.shift() ?? {
            ok: true,
            data: { room, members: [welcome.user], lastOffset: 0, missed: [], hasMore: false },
          },
        );
      });
      this.recoverNext = false;
      socket.emit('welcome', welcome);
      this.onConnection(socket);
    });
  }

  static async start(): Promise<ScriptedServer> {
    const http = createServer();
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    return new ScriptedServer(http);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  get connectionCount(): number {
    return this.connections;
  }

  async close(): Promise<void> {
    await this.io.close();
  }
}

const internal: Reply<never> = {
  ok: false,
  error: { code: 'INTERNAL', message: 'a dependency did not answer' },
};
const unavailable: Reply<never> = {
  ok: false,
  error: { code: 'UNAVAILABLE', message: 'try again later' },
};

function notification(id: string): Notification {
  return { id, title: id, body: 'body', ts: Date.now(), from: { id: 'system', name: 'System' } };
}

describe('refusals that mean "not now" (client library)', () => {
  let server: ScriptedServer;
  beforeEach(async () => (server = await ScriptedServer.start()));
  afterEach(async () => {
    closeAllSwitchboards();
    await server.close();
  });

  it('joins a room again after a reconnection, retrying while the server answers INTERNAL or UNAVAILABLE', async () => {
    const switchboard = openSwitchboard(server.url);
    const errors: unknown[] = [];
    switchboard.on('error', (error) => errors.push(error));
    await switchboard.join('lobby');

    server.joinRefusals = [internal, unavailable];
    const rejoined = new Promise<void>((resolve) => {
      server.onConnection = (socket) =>
        socket.on('room:join', () => {
          if (server.joins.length === 4) resolve();
        });
    });
    // The transport closes: the client connects again by itself and is not recovered.
    for (const socket of server.io.sockets.sockets.values()) socket.conn.close();
    await rejoined;

    expect(server.connectionCount).toBe(2);
    expect(server.joins).toEqual(['lobby', 'lobby', 'lobby', 'lobby']);
    expect(errors).toEqual([]);
  });

  it('joins a room again after a recovered reconnection when the session dropped before its re-join succeeded', async () => {
    const switchboard = openSwitchboard(server.url);
    await switchboard.join('lobby');

    // The re-join on the second connection is refused, and that connection drops during the
    // pause before the next try; the third connection recovers the second's session, which
    // never held the room.
    server.joinRefusals = [unavailable];
    const refused = new Promise<Socket>((resolve) => {
      server.onConnection = (socket) => socket.on('room:join', () => resolve(socket));
    });
    for (const socket of server.io.sockets.sockets.values()) socket.conn.close();
    const secondConnection = await refused;
    const rejoined = new Promise<void>((resolve) => {
      server.onConnection = (socket) => socket.on('room:join', () => resolve());
    });
    server.recoverNext = true;
    secondConnection.conn.close();
    await rejoined;

    expect(server.connectionCount).toBe(3);
    expect(server.joins).toEqual(['lobby', 'lobby', 'lobby']);
  });

  it('hands a notification replayed without an acknowledgement id to the listeners, and answers only those that asked', async () => {
    let acknowledged!: () => void;
    const offeredAcknowledged = new Promise<void>((resolve) => (acknowledged = resolve));
    server.onConnection = (socket) => {
      // As connection state recovery replays it: no acknowledgement asked, the offset last.
      socket.emit('notification', notification('replayed'), '1796597226486-0');
      socket.emit('notification', notification('offered'), () => acknowledged());
    };
    const switchboard = openSwitchboard(server.url);
    const handled: string[] = [];
    const answered: unknown[] = [];
    switchboard.on('traffic', (traffic: Traffic) => {
      if (traffic.direction === 'out' && traffic.event === 'notification') {
        answered.push(traffic.payload);
      }
    });
    switchboard.on('notification', ({ id }) => void handled.push(id));
    await offeredAcknowledged;

    expect(handled).toEqual(['replayed', 'offered']);
    expect(answered).toEqual([{ ok: true }]);
  });
});
