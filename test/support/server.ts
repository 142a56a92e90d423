import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { pino, type Logger } from 'pino';
import { createApplication, shutDown } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config/app-config.js';

export interface RunningServer {
  url: string;
  app: NestExpressApplication;
  close(): Promise<void>;
}

/**
 * Every test client connects from 127.0.0.1, one address for what in production would be many
 * users: the bounds per client address (the handshake rate, the new rooms of guests) are raised
 * unless a test sets its own.
 */
export const TEST_ADDRESS_LIMITS_ENV: Record<string, string> = {
  HANDSHAKE_RATE_PER_IP: '100000',
  ROOMS_NEW_PER_HOUR: '10000000',
};

/**
 * The real application on `port` (an ephemeral one unless told: a test that restarts a server
 * where its clients expect it gives the port of the first), configured like production from
 * `env`, logging to `logger` (nowhere unless told).
 */
export async function startServer(
  env: Record<string, string> = {},
  logger: Logger = pino({ level: 'silent' }),
  port = 0,
): Promise<RunningServer> {
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    ...TEST_ADDRESS_LIMITS_ENV,
    ...env,
    PORT: '0',
  });
  const app = await createApplication(config, logger);
  await app.listen(port, '127.0.0.1');
  const address = app.getHttpServer().address() as AddressInfo;
  return { url: `http://127.0.0.1:${address.port}`, app, close: () => shutDown(app) };
}

/**
 * The server of one `describe` block: started before its first test, closed after its last.
 * Read `url` and `app` inside tests or hooks, once the server is up.
 */
export function useServer(env: Record<string, string> = {}): Pick<RunningServer, 'url' | 'app'> {
  let running: RunningServer | undefined;
  beforeAll(async () => {
    running = await startServer(env);
  });
  afterAll(() => running?.close());
  const started = () => {
    if (!running) throw new Error('the server is not started yet: use it inside a test or hook');
    return running;
  };
  return {
    get url() {
      return started().url;
    },
    get app() {
      return started().app;
    },
  };
}
