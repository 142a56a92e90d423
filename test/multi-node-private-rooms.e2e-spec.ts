import type { Message } from '@switchboard/contract';
import { closeAllClients, nextEvent, ok } from './support/clients.js';
import { useCluster } from './support/cluster.js';
import { uniqueId } from './support/identities.js';
import {
  connectGranted,
  joinSeenBy,
  membersSeenBy,
  privateRoom,
  roomTokenFor,
} from './support/private-rooms.js';
import { describeWithRedis } from './support/redis-server.js';
import { failure, joined, sent, sortedById } from './support/rooms.js';
import { closeSessionClients, connectWithSession } from './support/session-events.js';
import { secondsFromNow } from './support/signing-keys.js';
import { signToken } from './support/tokens.js';

describeWithRedis(
  'private rooms and token lifetime across nodes (two nodes over one Redis)',
  () => {
    const cluster = useCluster('private-rooms', { size: 2 });
    afterEach(() => {
      closeSessionClients();
      closeAllClients();
    });

    it('lets in a user by room token on A and a user by claim on B, who then chat as one room', async () => {
      const [urlA, urlB] = cluster.urls;
      const room = privateRoom('team');
      const alice = await connectGranted(urlA, 'Alice');
      const bob = await connectGranted(urlB, 'Bob', { rooms: ['private:team-*'] });
      await ok(alice, 'room:join', {
        room,
        token: await roomTokenFor(alice.welcome.user.id, room),
      });
      const bobAnnounced = nextEvent(alice, 'room:joined');

      const { members } = await joined(bob, room);

      const both = sortedById([alice.welcome.user, bob.welcome.user]);
      expect(sortedById(members)).toEqual(both);
      expect(await bobAnnounced).toEqual({ room, user: bob.welcome.user });
      expect(await membersSeenBy(alice, room)).toEqual(both);

      const toBob = nextEvent<Message>(bob, 'chat:message');
      const toAlice = nextEvent<Message>(alice, 'chat:message');
      const fromAlice = await sent(alice, room, 'hello from A');
      expect(await toBob).toEqual(fromAlice);
      const fromBob = await sent(bob, room, 'hello from B');
      expect(await toAlice).toEqual(fromBob);
    });

    it('refuses a join on B without a grant, telling the members on A nothing', async () => {
      const [urlA, urlB] = cluster.urls;
      const room = privateRoom('secret');
      const alice = await connectGranted(urlA, 'Alice', { rooms: [room] });
      await ok(alice, 'room:join', { room });
      const mallory = await connectGranted(urlB, 'Mallory');

      const seen = await joinSeenBy(alice, mallory, {
        room,
        token: await roomTokenFor(uniqueId('someone-else'), room),
      });

      expect(seen.reply).toEqual(failure('FORBIDDEN'));
      expect(seen.announced).toEqual([]);
      expect(seen.members).toEqual([alice.welcome.user]);
    });

    it('ends the session of a socket on B at its token’s exp', async () => {
      const exp = secondsFromNow(2);
      const token = await signToken({ sub: uniqueId('alice'), name: 'Alice' }, { expiresIn: exp });
      const alice = await connectWithSession(cluster.urls[1], token);

      expect(await alice.session.take('session:expiring')).toEqual({ expiresAt: exp * 1000 });
      expect(await alice.session.take('session:ended')).toMatchObject({ reason: 'token_expired' });
      expect(await alice.session.take('disconnect')).toBe('io server disconnect');
    });
  },
);
