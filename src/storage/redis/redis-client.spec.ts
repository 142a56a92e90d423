import { Cluster, type Redis } from 'ioredis';
import type { RedisSettings, RedisTopology } from '../../config/redis-settings.js';
import { commandClientOf, redisClientOf, redisClusterClientOf } from './redis-client.js';

const SENTINELS = [
  { host: 'sentinel-1', port: 26379 },
  { host: 'sentinel-2', port: 26380 },
];

/** A client that never connects (lazyConnect, never used): only its options are looked at. */
function clientOf(topology: RedisTopology): Redis {
  const settings: RedisSettings = { topology, keyPrefix: 'p:', waitReplicas: 0, waitTimeoutMs: 1 };
  return redisClientOf(settings, { lazyConnect: true, connectionName: 'switchboard' });
}

describe('the Redis client of the settings', () => {
  it('connects to the address of REDIS_URL alone, with its credentials and database', () => {
    const { options } = clientOf({
      kind: 'standalone',
      url: 'redis://user:p%40ss@redis.example:6380/2',
    });
    expect(options).toMatchObject({
      host: 'redis.example',
      port: 6380,
      username: 'user',
      password: 'p@ss',
      db: 2,
      connectionName: 'switchboard',
    });
    expect(options.sentinels).toBeFalsy();
  });

  it('asks the sentinels for the master by name, and follows failovers they announce', () => {
    const { options } = clientOf({
      kind: 'sentinel',
      sentinels: SENTINELS,
      masterName: 'mymaster',
      url: undefined,
    });
    expect(options).toMatchObject({
      sentinels: SENTINELS,
      name: 'mymaster',
      role: 'master',
      failoverDetector: true,
      connectionName: 'switchboard',
    });
    expect(options.password).toBeFalsy();
    expect(options.tls).toBeFalsy();
  });

  it("takes only REDIS_URL's user, password, TLS and database beside the sentinels, never its address", () => {
    const client = clientOf({
      kind: 'sentinel',
      sentinels: SENTINELS,
      masterName: 'mymaster',
      url: 'rediss://switchboard:s3cret@elsewhere.example:7000/3',
    });
    expect(client.options).toMatchObject({
      sentinels: SENTINELS,
      name: 'mymaster',
      username: 'switchboard',
      password: 's3cret',
      db: 3,
      tls: {},
      enableTLSForSentinelMode: true,
    });
    expect(client.options.host).not.toBe('elsewhere.example');
    expect(client.options.port).not.toBe(7000);
    // The adapter's copies keep all of it.
    expect(client.duplicate().options).toMatchObject({ name: 'mymaster', password: 's3cret' });
  });

  it('makes a Redis Cluster client of the seeds, with only the credentials and TLS of REDIS_URL', () => {
    const settings: RedisSettings = {
      topology: {
        kind: 'cluster',
        nodes: [{ host: 'node-1', port: 7000 }],
        url: 'rediss://switchboard:s3cret@elsewhere.example:6379',
      },
      keyPrefix: 'p:',
      waitReplicas: 0,
      waitTimeoutMs: 1,
    };
    const retryStrategy = () => 100;
    const client = commandClientOf(settings, {
      lazyConnect: true,
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      retryStrategy,
      commandTimeout: 2000,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      connectionName: 'switchboard',
    });
    if (!(client instanceof Cluster)) throw new Error('expected a Cluster client');
    // Failing at once, as the command client of one Redis: no queue while the cluster is away...
    expect(client.options).toMatchObject({
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      clusterRetryStrategy: retryStrategy,
      scaleReads: 'master',
    });
    // ...and each command bounded and never sent twice by the connection to its master.
    expect(client.options.redisOptions).toEqual({
      commandTimeout: 2000,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      connectionName: 'switchboard',
      username: 'switchboard',
      password: 's3cret',
      tls: {},
    });
    expect(client.options.shardedSubscribers).toBeFalsy();
    const subscriber = redisClusterClientOf(
      settings,
      { lazyConnect: true },
      { shardedSubscribers: true },
    );
    expect(subscriber.options.shardedSubscribers).toBe(true);
    expect(() => redisClientOf(settings, { lazyConnect: true })).toThrow(/redisClusterClientOf/);
  });
});
