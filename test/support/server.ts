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
 * The real application on an ephemeral port, configured like production from `env`, logging to
 * `logger` (nowhere unless told).
 */
export async function startServer(
  env: Record<string, string> = {},
  logger: Logger = pino({ level: 'silent' }),
): Promise<RunningServer> {
  const config = loadConfig({ LOG_LEVEL: 'silent', ...env, PORT: '0' });
  const app = await createApplication(config, logger);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, app, close: () => shutDown(app) };
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
