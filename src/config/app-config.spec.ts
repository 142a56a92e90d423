import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, loadConfig } from './app-config.js';

const keyPairs = {
  rsa: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ec: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  ed25519: () => generateKeyPairSync('ed25519'),
  x25519: () => generateKeyPairSync('x25519'),
};

function pemOf(type: keyof typeof keyPairs, half: 'public' | 'private'): string {
  const pair = keyPairs[type]();
  return half === 'public'
    ? pair.publicKey.export({ type: 'spki', format: 'pem' }).toString()
    : pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

describe('loadConfig', () => {
  it('has defaults that run a single node on a laptop', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      jwtSecret: undefined,
      allowGuests: true,
      jwtPublicKey: undefined,
      jwksUrl: undefined,
      jwksCooldownMs: 30_000,
      jwtIssuer: undefined,
      jwtAudience: undefined,
      roomsRequireGrant: false,
      roomMaxPerSocket: 50,
      historyLimit: 1000,
      historyMaxRooms: 10_000,
      historyEvictIdleSeconds: 86_400,
      roomsNewPerHour: 60,
      notifyAckTimeoutMs: 5000,
      apiKeys: [],
      redis: undefined,
      maxPayloadBytes: 1_000_000,
      rateLimitPerSec: 20,
      rateLimitBurst: 40,
      relayMaxBytes: 65_536,
      corsOrigins: '*',
      logLevel: 'info',
      maxBufferedBytes: 1_048_576,
      recoveryBufferPackets: 10_000,
      maxSocketsPerUser: 20,
      handshakeRatePerIp: 20,
      trustProxy: 0,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      AUTH_JWT_SECRET: 'sixteen-chars-at-least',
      AUTH_ALLOW_GUESTS: 'false',
      AUTH_JWKS_URL: 'https://idp.example.com/.well-known/jwks.json',
      AUTH_JWKS_COOLDOWN_MS: '1000',
      AUTH_JWT_ISSUER: 'https://idp.example.com/',
      AUTH_JWT_AUDIENCE: 'switchboard',
      ROOMS_REQUIRE_GRANT: 'true',
      ROOM_MAX_PER_SOCKET: '3',
      HISTORY_LIMIT: '10',
      HISTORY_MAX_ROOMS: '20',
      HISTORY_EVICT_IDLE_SECONDS: '0',
      ROOMS_NEW_PER_HOUR: '5',
      NOTIFY_ACK_TIMEOUT_MS: '250',
      API_KEY: 'a-key-of-sixteen-chars',
      NOTIFY_API_KEY: 'an-older-key-of-16-chars',
      MAX_PAYLOAD_BYTES: '4096',
      RATE_LIMIT_PER_SEC: '5',
      RATE_LIMIT_BURST: '6',
      RELAY_MAX_BYTES: '1024',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      LOG_LEVEL: 'warn',
      MAX_BUFFERED_BYTES: '65536',
      RECOVERY_BUFFER_PACKETS: '100',
      MAX_SOCKETS_PER_USER: '2',
      HANDSHAKE_RATE_PER_IP: '7',
      TRUST_PROXY: '1',
    });
    expect(config).toMatchObject({
      port: 8080,
      jwtSecret: 'sixteen-chars-at-least',
      allowGuests: false,
      jwksUrl: 'https://idp.example.com/.well-known/jwks.json',
      jwksCooldownMs: 1000,
      jwtIssuer: 'https://idp.example.com/',
      jwtAudience: 'switchboard',
      roomsRequireGrant: true,
      roomMaxPerSocket: 3,
      historyLimit: 10,
      historyMaxRooms: 20,
      historyEvictIdleSeconds: 0,
      roomsNewPerHour: 5,
      notifyAckTimeoutMs: 250,
      apiKeys: ['a-key-of-sixteen-chars', 'an-older-key-of-16-chars'],
      maxPayloadBytes: 4096,
      rateLimitPerSec: 5,
      rateLimitBurst: 6,
      relayMaxBytes: 1024,
      corsOrigins: ['https://a.example', 'https://b.example'],
      logLevel: 'warn',
      maxBufferedBytes: 65536,
      recoveryBufferPackets: 100,
      maxSocketsPerUser: 2,
      handshakeRatePerIp: 7,
      trustProxy: 1,
    });
  });

  it('refuses cross-origin browsers in production until origins are listed', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).corsOrigins).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', CORS_ORIGINS: '*' }).corsOrigins).toBe('*');
  });

  it('allows the origin of PUBLIC_URL beside the origins listed', () => {
    const publicUrl = 'https://chat.example.com:8443/console/';
    expect(loadConfig({ NODE_ENV: 'production', PUBLIC_URL: publicUrl }).corsOrigins).toEqual([
      'https://chat.example.com:8443',
    ]);
    expect(
      loadConfig({ PUBLIC_URL: publicUrl, CORS_ORIGINS: 'https://app.example' }).corsOrigins,
    ).toEqual(['https://app.example', 'https://chat.example.com:8443']);
    expect(loadConfig({ PUBLIC_URL: publicUrl }).corsOrigins).toBe('*');
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['AUTH_ALLOW_GUESTS', 'maybe'],
    ['HISTORY_LIMIT', '0'],
    ['HISTORY_MAX_ROOMS', '0'],
    ['HISTORY_EVICT_IDLE_SECONDS', '-1'],
    ['ROOMS_NEW_PER_HOUR', '0'],
    ['RATE_LIMIT_PER_SEC', '1.5'],
    ['RELAY_MAX_BYTES', '0'],
    ['AUTH_JWT_SECRET', 'short'],
    ['LOG_LEVEL', 'loud'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['REDIS_URL', 'localhost:6379'],
    ['REDIS_KEY_PREFIX', 'has space'],
    ['CORS_ORIGINS', 'https://app.example/'],
    ['CORS_ORIGINS', 'https://a.example, app.example'],
    ['AUTH_JWT_PUBLIC_KEY', 'not a key'],
    ['AUTH_JWT_PUBLIC_KEY', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----'],
    ['AUTH_JWT_PUBLIC_KEY', pemOf('x25519', 'public')],
    ['AUTH_JWT_PUBLIC_KEY', pemOf('ed25519', 'private')],
    ['AUTH_JWKS_URL', 'ftp://idp.example.com/jwks.json'],
    ['AUTH_JWKS_URL', 'idp.example.com/jwks.json'],
    ['AUTH_JWKS_COOLDOWN_MS', '-1'],
    ['ROOMS_REQUIRE_GRANT', 'sometimes'],
    ['MAX_BUFFERED_BYTES', '100'],
    ['RECOVERY_BUFFER_PACKETS', '0'],
    ['MAX_SOCKETS_PER_USER', '0'],
    ['HANDSHAKE_RATE_PER_IP', '0'],
    ['TRUST_PROXY', '-1'],
    ['PUBLIC_URL', 'chat.example.com'],
    ['PUBLIC_URL', 'ftp://chat.example.com'],
    ['PUBLIC_URL', '/console'],
    ['METRICS_TOKEN', 'short'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}: `));
  });

  it.each([
    'redis://localhost:6379',
    'redis://user:secret@127.0.0.1:6380/2',
    'rediss://:secret@redis.example.com:6380/0',
  ])('accepts REDIS_URL=%s', (url) => {
    expect(loadConfig({ REDIS_URL: url }).redis).toEqual({
      topology: { kind: 'standalone', url },
      keyPrefix: 'switchboard:',
      waitReplicas: 0,
      waitTimeoutMs: 1000,
    });
  });

  it.each([
    ['an RSA key', pemOf('rsa', 'public')],
    ['an EC key', pemOf('ec', 'public')],
    ['an Ed25519 key', pemOf('ed25519', 'public')],
    [
      'a PEM on one line with \\n for its line breaks',
      pemOf('ed25519', 'public').replaceAll('\n', '\\n'),
    ],
  ])('accepts AUTH_JWT_PUBLIC_KEY as %s', (_key, pem) => {
    expect(loadConfig({ AUTH_JWT_PUBLIC_KEY: pem }).jwtPublicKey).toBe(pem);
  });

  it.each(['https://idp.example.com/.well-known/jwks.json', 'http://localhost:8080/certs'])(
    'accepts AUTH_JWKS_URL=%s',
    (url) => {
      expect(loadConfig({ AUTH_JWKS_URL: url }).jwksUrl).toBe(url);
    },
  );

  it('treats an empty variable as unset', () => {
    expect(
      loadConfig({
        API_KEY: '',
        NOTIFY_API_KEY: '',
        AUTH_JWT_SECRET: '',
        PORT: '',
        AUTH_ALLOW_GUESTS: '',
        LOG_LEVEL: '',
      }),
    ).toMatchObject({
      apiKeys: [],
      jwtSecret: undefined,
      port: 3000,
      allowGuests: true,
      logLevel: 'info',
    });
  });
});
