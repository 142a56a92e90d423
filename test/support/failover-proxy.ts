import { connect, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './redis-server.js';

/**
 * A TCP proxy that hands each new connection to the first upstream that accepts it, as a load
 * balancer in front of several nodes does: once a node dies, its connections drop with it and
 * the reconnections reach the next node.
 */
export class FailoverProxy {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(upstreamUrls: readonly string[]): Promise<FailoverProxy> {
    const ports = upstreamUrls.map((url) => Number(new URL(url).port));
    const port = await freePort();
    const server = createServer();
    const proxy = new FailoverProxy(server, `http://127.0.0.1:${port}`);
    server.on('connection', (client) => proxy.forward(client, ports));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return proxy;
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private forward(client: Socket, ports: readonly number[], index = 0): void {
    this.track(client);
    client.pause();
    const port = ports[index];
    if (port === undefined) {
      client.destroy();
      return;
    }
    const upstream = connect(port, '127.0.0.1');
    let accepted = false;
    upstream.once('error', () => {
      if (!accepted) this.forward(client, ports, index + 1);
    });
    upstream.once('connect', () => {
      accepted = true;
      this.track(upstream);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }

  private track(socket: Socket): void {
    if (this.sockets.has(socket)) return;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}
