import { ConnectHook } from '../../src/hooks/connect-hook.js';
import { Test } from '@nestjs/testing';
import { Authenticator } from '../../src/auth/authenticator.js';
import { AppConfig, loadConfig } from '../../src/config/app-config.js';

/** An Authenticator configured from `env` as the process environment would configure it. */
export async function authenticatorWith(env: Record<string, string>): Promise<Authenticator> {
  const moduleRef = await Test.createTestingModule({
    providers: [
      Authenticator,
      // With HOOK_CONNECT_URL unset, as here, the connect hook is never asked.
      { provide: ConnectHook, useValue: { enabled: false } },
      { provide: AppConfig, useValue: loadConfig(env) },
    ],
  }).compile();
  return moduleRef.get(Authenticator);
}
