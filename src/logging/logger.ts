import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';

/** JSON lines for machines; readable lines when a person watches a terminal. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'switchboard' },
    redact: {
      paths: ['token', 'auth', 'authorization', '*.token', '*.authorization'],
      remove: true,
    },
    transport: process.stdout.isTTY
      ? {
          target: 'pino-pretty',
          options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' },
        }
      : undefined,
  });
}

/** Nest's own messages (bootstrap, routes, crashes) go through the same pino logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error(
      { context, err: message instanceof Error ? message : undefined, trace },
      String(message),
    );
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}

/** Injection token of the application's pino logger. */
export const APP_LOGGER = Symbol('APP_LOGGER');
export type { Logger } from 'pino';
