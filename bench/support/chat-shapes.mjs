// Who talks to whom in `cluster.mjs`: the clients of a shape, connected and joined, and the ledger
// that checks that every acknowledged message reached every other member of its room once.
import { connectClient, request } from './clients.mjs';

const CONNECT_CONCURRENCY = 20;

/** The shapes, by `--shape`: how many clients, which node and which room each one gets. */
export const SHAPES = {
  // Direct messages: room r has clients 2r and 2r + 1, both on node r mod N, so a message has one
  // recipient, on the sender's own node, and the rooms spread evenly over the nodes.
  dm: {
    clientCount: ({ rooms }) => rooms * 2,
    placement: (client, nodeCount, roomPrefix) => {
      const room = Math.floor(client / 2);
      return { node: room % nodeCount, room: `${roomPrefix}-dm-${room}` };
    },
  },
  // One big room: client i on node i mod N, so a message goes to C - 1 members on every node.
  room: {
    clientCount: ({ clients }) => clients,
    placement: (client, nodeCount, roomPrefix) => ({
      node: client % nodeCount,
      room: `${roomPrefix}-room`,
    }),
  },
};

/** Runs `task` on every item, at most CONNECT_CONCURRENCY at a time, in order; the results. */
async function inBatches(items, task) {
  const results = [];
  for (let first = 0; first < items.length; first += CONNECT_CONCURRENCY) {
    const batch = items.slice(first, first + CONNECT_CONCURRENCY);
    results.push(...(await Promise.all(batch.map(task))));
  }
  return results;
}

/**
 * Connects the clients of `shape` to `nodes` and joins each to its room; every room then lists
 * all its members (each client is a user of its own: guest ids). Connected sockets are pushed to
 * `sockets` as they come, so that the caller can close them whatever fails. Returns the clients,
 * `{ index, socket, room, sent }` each, and the members of every room by name.
 */
export async function connectShape(shape, sizes, nodes, roomPrefix, sockets) {
  const placements = Array.from({ length: SHAPES[shape].clientCount(sizes) }, (_, index) => ({
    index,
    ...SHAPES[shape].placement(index, nodes.length, roomPrefix),
  }));
  const clients = await inBatches(placements, async ({ index, node, room }) => {
    const socket = await connectClient(nodes[node].url, `bench-${index}`);
    sockets.push(socket);
    return { index, socket, room, sent: 0 };
  });
  await inBatches(clients, ({ socket, room }) => request(socket, 'room:join', { room }));
  const rooms = new Map();
  for (const client of clients) {
    if (!rooms.has(client.room)) rooms.set(client.room, []);
    rooms.get(client.room).push(client.index);
  }
  await inBatches([...rooms], async ([room, members]) => {
    const { members: present } = await request(clients[members[0]].socket, 'room:members', {
      room,
    });
    if (present.length !== members.length) {
      throw new Error(`${room} lists ${present.length} members, not ${members.length}`);
    }
  });
  return { clients, rooms };
}

/**
 * Every `chat:message` that the clients receive, against every `chat:send` acknowledged: at the
 * end, each acknowledged message must have reached each other member of its room exactly once,
 * and nothing else may have arrived. Holds one entry per delivery: a round's worth.
 */
export class DeliveryLedger {
  /** Deliveries so far, for the measured window. */
  delivered = 0;
  /** Deliveries that the messages acknowledged so far call for (one per other member). */
  expected = 0;
  #duplicates = 0;
  #acked = [];
  #seenBy;

  constructor(clients, rooms) {
    this.clients = clients;
    this.rooms = rooms;
    this.#seenBy = clients.map(() => new Set());
    for (const client of clients) {
      client.socket.on('chat:message', (message) => this.#received(client.index, message));
    }
  }

  #received(receiver, message) {
    this.delivered += 1;
    const seen = this.#seenBy[receiver];
    if (seen.has(message.clientMsgId)) this.#duplicates += 1;
    else seen.add(message.clientMsgId);
  }

  /** `clientMsgId`, sent by client `sender`, was acknowledged. */
  acked(sender, clientMsgId) {
    this.#acked.push({ sender, clientMsgId });
    this.expected += this.rooms.get(this.clients[sender].room).length - 1;
  }

  /** Once everything in flight has arrived: whether all went right, and else what went wrong. */
  check() {
    let expected = 0;
    let missing = 0;
    for (const { sender, clientMsgId } of this.#acked) {
      for (const member of this.rooms.get(this.clients[sender].room)) {
        if (member === sender) continue;
        expected += 1;
        if (!this.#seenBy[member].has(clientMsgId)) missing += 1;
      }
    }
    const distinct = this.#seenBy.reduce((sum, seen) => sum + seen.size, 0);
    const unexpected = distinct - (expected - missing);
    const duplicates = this.#duplicates;
    return {
      exactlyOnce: missing === 0 && duplicates === 0 && unexpected === 0,
      expected,
      missing,
      duplicates,
      unexpected,
    };
  }
}
