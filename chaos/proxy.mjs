// A client's way in, as a load balancer in front of the nodes: each new TCP connection goes to the
// first node of the client's own (seeded) order that is up, or the next one when it refuses. A
// node's death drops the connections through it, and the client's reconnection lands on another.
import { connect, createServer } from 'node:net';
import { freePort } from '../bench/support/processes.mjs';

export class RoutingProxy {
  /**
   * `nodes` in the order this client prefers them; `onRouted(node)` is told where each connection
   * went (undefined: no node took it, and the client's connection was closed).
   */
  static async start(nodes, onRouted) {
    const proxy = new RoutingProxy();
    proxy.nodes = nodes;
    proxy.onRouted = onRouted;
    proxy.sockets = new Set();
    const port = await freePort();
    proxy.server = createServer((client) => proxy.forward(client));
    await new Promise((resolve) => proxy.server.listen(port, '127.0.0.1', resolve));
    proxy.url = `http://127.0.0.1:${port}`;
    return proxy;
  }

  /** Stops listening and drops every connection. */
  async close() {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  forward(client) {
    this.track(client);
    client.pause();
    client.on('error', () => client.destroy());
    // A node that is stopping would take the connection and drop it again at once.
    this.tryNodes(
      client,
      this.nodes.filter((node) => node.state === 'up'),
    );
  }

  tryNodes(client, candidates) {
    const [node, ...rest] = candidates;
    if (!node || client.destroyed) {
      this.onRouted(undefined);
      client.destroy();
      return;
    }
    const upstream = connect(node.port, '127.0.0.1');
    let accepted = false;
    upstream.once('error', () => {
      if (!accepted) this.tryNodes(client, rest);
    });
    upstream.once('connect', () => {
      accepted = true;
      this.track(upstream);
      this.onRouted(node);
      upstream.on('error', () => client.destroy());
      upstream.on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }

  track(socket) {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}
