import { useCluster } from '../../test/support/cluster.js';
import { FailoverProxy } from '../../test/support/failover-proxy.js';
import { uniqueId } from '../../test/support/identities.js';
import { describeWithRedis } from '../../test/support/redis-server.js';
import {
  closeAllSwitchboards,
  DeliveryLog,
  offsetsUpTo,
  openSwitchboard,
} from '../../test/support/switchboards.js';

describeWithRedis('a node killed under a client (client library)', () => {
  // One node in this process; the one to kill runs in a child process.
  const cluster = useCluster('client-failover', { size: 1 });
  let proxy: FailoverProxy | undefined;
  afterEach(async () => {
    closeAllSwitchboards();
    await proxy?.close();
  });

  it('reconnects to the other node, and the room’s messages stay gapless and once each', async () => {
    const doomed = await cluster.startProcessNode();
    const [survivor] = cluster.urls;
    proxy = await FailoverProxy.start([doomed.url, survivor]);
    const room = uniqueId('room');
    const receiver = openSwitchboard(proxy.url, { auth: { name: 'receiver' } });
    const received = new DeliveryLog(await receiver.join(room));
    const sender = openSwitchboard(survivor, { auth: { name: 'sender' } });
    const senderRoom = await sender.join(room);
    const firstWelcome = await receiver.connected();

    for (let index = 1; index <= 10; index++) await senderRoom.send(`before ${index}`);
    await received.until(10);
    await doomed.kill('SIGKILL');
    for (let index = 1; index <= 20; index++) await senderRoom.send(`after ${index}`);

    await received.until(30);
    expect(received.offsets).toEqual(offsetsUpTo(30));
    const welcomeOnSurvivor = await receiver.connected();
    expect(welcomeOnSurvivor.socketId).not.toBe(firstWelcome.socketId);
    expect(welcomeOnSurvivor.recovered).toBe(false);
  }, 40_000);
});
