import { ConfigError, loadConfig } from '../../src/config/app-config.js';

/** The lines with which `loadConfig(env)` refuses to start; throws when it accepts `env`. */
export function configProblems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
}
