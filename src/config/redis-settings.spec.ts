import { loadConfig } from './app-config.js';
import { redisSettingsOf, RedisEnvironment } from './redis-settings.js';
import { configProblems } from '../../test/support/config-problems.js';

const SENTINELS = '127.0.0.1:26379, sentinel-2:26380,[::1]:26381';

describe('the Redis settings', () => {
  it('leave Redis off when neither REDIS_URL nor REDIS_SENTINELS is set', () => {
    expect(loadConfig({ REDIS_WAIT_REPLICAS: '1' }).redis).toBeUndefined();
  });

  it('turn Redis mode on with REDIS_SENTINELS and REDIS_SENTINEL_MASTER alone', () => {
    expect(
      loadConfig({ REDIS_SENTINELS: SENTINELS, REDIS_SENTINEL_MASTER: 'mymaster' }).redis,
    ).toEqual({
      topology: {
        kind: 'sentinel',
        sentinels: [
          { host: '127.0.0.1', port: 26379 },
          { host: 'sentinel-2', port: 26380 },
          { host: '::1', port: 26381 },
        ],
        masterName: 'mymaster',
        url: undefined,
      },
      keyPrefix: 'switchboard:',
      waitReplicas: 0,
      waitTimeoutMs: 1000,
    });
  });

  it('keep REDIS_URL beside the sentinels, for its credentials, TLS and database', () => {
    const url = 'rediss://switchboard:s3cret@ignored:1/2';
    expect(
      loadConfig({
        REDIS_URL: url,
        REDIS_SENTINELS: SENTINELS,
        REDIS_SENTINEL_MASTER: 'mymaster',
        REDIS_WAIT_REPLICAS: '2',
        REDIS_WAIT_TIMEOUT_MS: '250',
      }).redis,
    ).toMatchObject({
      topology: { kind: 'sentinel', masterName: 'mymaster', url },
      waitReplicas: 2,
      waitTimeoutMs: 250,
    });
  });

  it('refuse REDIS_SENTINELS with REDIS_CLUSTER_NODES in one line naming both', () => {
    expect(
      configProblems({
        REDIS_SENTINELS: SENTINELS,
        REDIS_SENTINEL_MASTER: 'mymaster',
        REDIS_CLUSTER_NODES: 'node-1:6379,node-2:6379',
      }),
    ).toEqual([expect.stringMatching(/^REDIS_SENTINELS, REDIS_CLUSTER_NODES: exclude each other/)]);
  });

  it('read REDIS_CLUSTER_NODES as the seeds of a cluster, REDIS_URL giving only its credentials and TLS', () => {
    const url = 'rediss://switchboard:s3cret@ignored:1/0';
    const env = Object.assign(new RedisEnvironment(), {
      REDIS_URL: url,
      REDIS_CLUSTER_NODES: 'node-1:7000, 10.0.0.2:7001,[::1]:7002',
      REDIS_WAIT_REPLICAS: 1,
    });
    expect(redisSettingsOf(env)).toEqual({
      problems: [],
      settings: {
        topology: {
          kind: 'cluster',
          nodes: [
            { host: 'node-1', port: 7000 },
            { host: '10.0.0.2', port: 7001 },
            { host: '::1', port: 7002 },
          ],
          url,
        },
        keyPrefix: 'switchboard:',
        waitReplicas: 1,
        waitTimeoutMs: 1000,
      },
    });
  });

  it('turn Redis mode on with REDIS_CLUSTER_NODES alone', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'node-1:6379' }).redis?.topology).toEqual({
      kind: 'cluster',
      nodes: [{ host: 'node-1', port: 6379 }],
      url: undefined,
    });
  });

  it('refuse a database other than 0 in REDIS_URL beside REDIS_CLUSTER_NODES', () => {
    const env = Object.assign(new RedisEnvironment(), {
      REDIS_URL: 'redis://ignored/2',
      REDIS_CLUSTER_NODES: 'node-1:6379',
    });
    expect(redisSettingsOf(env)).toEqual({
      settings: undefined,
      problems: [expect.stringMatching(/^REDIS_URL: a Redis Cluster has database 0 only/)],
    });
  });

  it('refuse REDIS_SENTINELS without REDIS_SENTINEL_MASTER, and the name without sentinels', () => {
    expect(configProblems({ REDIS_SENTINELS: SENTINELS })).toEqual([
      expect.stringMatching(/^REDIS_SENTINEL_MASTER: must be set/),
    ]);
    expect(configProblems({ REDIS_URL: 'redis://r:6379', REDIS_SENTINEL_MASTER: 'm' })).toEqual([
      expect.stringMatching(/^REDIS_SENTINEL_MASTER: means nothing/),
    ]);
  });

  it.each([
    ['REDIS_SENTINELS', 'sentinel-1'],
    ['REDIS_SENTINELS', 'sentinel-1:26379,:26379'],
    ['REDIS_SENTINELS', 'sentinel-1:0'],
    ['REDIS_SENTINELS', 'sentinel-1:99999'],
    ['REDIS_SENTINELS', ' , '],
    ['REDIS_CLUSTER_NODES', 'node-1:six'],
    ['REDIS_CLUSTER_NODES', 'node-1:6379,,node-2'],
    ['REDIS_CLUSTER_NODES', ' , '],
    ['REDIS_SENTINEL_MASTER', 'my master'],
    ['REDIS_WAIT_REPLICAS', '-1'],
    ['REDIS_WAIT_REPLICAS', 'one'],
    ['REDIS_WAIT_TIMEOUT_MS', '0'],
    ['REDIS_URL', 'redis://:secret@ignored/zero'],
  ])('refuse %s=%s, naming the variable', (name, value) => {
    const env = { REDIS_SENTINELS: SENTINELS, REDIS_SENTINEL_MASTER: 'mymaster', [name]: value };
    expect(configProblems(env)).toContainEqual(expect.stringMatching(new RegExp(`^${name}: `)));
  });
});
