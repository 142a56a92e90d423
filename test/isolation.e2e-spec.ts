import { closeAllClients, collect, connectAs, ok } from './support/clients.js';
import { acknowledgementsReceived, closeInboxClients, connectWithInbox } from './support/inbox.js';
import { caughtUp, inCommonRoom, joined } from './support/rooms.js';
import { useServer } from './support/server.js';

describe('a chat room named like a socket id', () => {
  const server = useServer();
  afterEach(() => {
    closeAllClients();
    closeInboxClients();
  });

  it('does not reach the socket whose id it is named after', async () => {
    const victim = await connectAs(server.url, 'victim');
    const messagesToVictim = collect(victim, 'chat:message');
    const intruder = await connectAs(server.url, 'intruder');
    await joined(intruder, victim.welcome.socketId);
    await ok(intruder, 'chat:send', { room: victim.welcome.socketId, text: 'injected' });
    await caughtUp(victim);
    expect(messagesToVictim).toEqual([]);
  });

  it("does not let a member receive the socket's own notifications", async () => {
    const victim = await connectWithInbox(server.url, { name: 'victim' });
    const intruder = await connectWithInbox(server.url, { name: 'intruder' });
    const sender = await connectAs(server.url, 'sender');
    await joined(intruder, victim.welcome.socketId);
    await inCommonRoom(sender, victim, intruder);
    await ok(sender, 'notification:send', {
      target: { userId: victim.welcome.user.id },
      title: 'private',
      body: 'for the victim only',
    });
    expect((await victim.inbox.take()).title).toBe('private');
    await ok(sender, 'notification:send', {
      target: { userId: intruder.welcome.user.id },
      title: 'own',
      body: 'for the intruder',
    });
    expect((await intruder.inbox.take()).title).toBe('own');
    await Promise.all([acknowledgementsReceived(victim), acknowledgementsReceived(intruder)]);
  });

  it('leaving it does not cut a socket off from its own deliveries', async () => {
    const alice = await connectWithInbox(server.url, { name: 'alice' });
    await joined(alice, alice.welcome.socketId);
    await ok(alice, 'room:leave', { room: alice.welcome.socketId });
    const sender = await connectAs(server.url, 'sender');
    await inCommonRoom(sender, alice);
    await ok(sender, 'notification:send', {
      target: { userId: alice.welcome.user.id },
      title: 'still here',
      body: 'b',
    });
    expect((await alice.inbox.take()).title).toBe('still here');
    await acknowledgementsReceived(alice);
  });
});
