import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { channelSubscriberOf } from '../../src/storage/redis/channel-subscriber.js';
import type { RedisCommands } from '../../src/storage/redis/redis-client.js';
import type { RedisHistoryStore } from '../../src/storage/redis/redis-history.store.js';
import type { RedisKeys } from '../../src/storage/redis/redis-keys.js';
import { RoomChannelsAdapter } from '../../src/storage/redis/room-channels.adapter.js';

/** The sequenced event of the adapter's tests, as the chat's `chat:message`. */
export const SEQUENCED_EVENT = 'chat:message';

/** A node's clients of the adapter: its publisher, and a subscriber of its own. */
export interface AdapterClients {
  publisher: RedisCommands;
  subscriber: RedisCommands;
  close(): Promise<void>;
}

/** One node: a Socket.IO server on RoomChannelsAdapter, with its own Redis clients. */
export class AdapterNode {
  readonly io: Server;

  private constructor(
    readonly clients: AdapterClients,
    keys: RedisKeys,
    history: RedisHistoryStore,
  ) {
    this.io = new Server(createServer(), {
      adapter: RoomChannelsAdapter.with({
        publisher: clients.publisher,
        subscriber: channelSubscriberOf(clients.subscriber),
        channels: keys.channels,
        recoveryPackets: 100,
        sequenced: {
          event: SEQUENCED_EVENT,
          roomOf: (room) => /^room:\{(.+)\}$/.exec(room)?.[1],
          lastOffset: (room) => history.lastOffset(room),
          after: (room, after, limit) => history.after(room, after, limit),
        },
      }),
      connectionStateRecovery: { maxDisconnectionDuration: 60_000 },
    });
  }

  /** Starts a node once its subscriber is ready. */
  static async start(
    clients: AdapterClients,
    keys: RedisKeys,
    history: RedisHistoryStore,
  ): Promise<AdapterNode> {
    if (clients.subscriber.status !== 'ready') await once(clients.subscriber, 'ready');
    const node = new AdapterNode(clients, keys, history);
    const http = node.io.httpServer;
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    return node;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.io.httpServer.address() as AddressInfo).port}`;
  }

  get adapter(): RoomChannelsAdapter {
    return this.io.of('/').adapter as RoomChannelsAdapter;
  }

  /** A client connected to this node, with its socket on the server. */
  async connect(): Promise<{ client: Socket; socket: ServerSocket }> {
    const connected = once(this.io, 'connection') as Promise<[ServerSocket]>;
    const client = io(this.url, { transports: ['websocket'], forceNew: true });
    const [socket] = await connected;
    return { client, socket };
  }

  async close(): Promise<void> {
    await this.io.close();
    await this.clients.close();
  }
}

/** The events `client` receives, by name, in order. */
export function received(client: Socket, event: string): unknown[] {
  const events: unknown[] = [];
  client.on(event, (payload: unknown) => events.push(payload));
  return events;
}

/** Nothing tells when a message crossed Redis: the condition is checked again until it holds. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 2000,
): Promise<void> {
  for (let tries = 0; !(await condition()); tries += 1) {
    if (tries * 10 > timeoutMs)
      throw new Error(`the condition did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
