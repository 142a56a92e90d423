import type { LoggerService } from '@nestjs/common';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/**
 * JSON lines for machines; readable lines when a person watches a terminal. `destination` (a
 * test's memory stream) replaces standard output.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'switchboard' },
    redact: {
      paths: ['token', 'auth', 'authorization', '*.token', '*.authorization'],
      remove: true,
    },
    serializers: { err: errorForLog },
  };
  if (destination !== undefined) return pino(options, destination);
  return pino({
    ...options,
    transport: process.stdout.isTTY
      ? {
          target: 'pino-pretty',
          options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' },
        }
      : undefined,
  });
}

/**
 * What a log line keeps of an error: what went wrong and where. Not the error's other fields,
 * which can carry what a client sent: ioredis puts a failed command's arguments (message texts,
 * notification bodies) on `command.args`. A thrown value that is not an error is not logged at all.
 */
export function errorForLog(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const { type, message, stack } = pino.stdSerializers.err(error);
  const kept: Record<string, unknown> = { type, message, stack };
  const { code, command } = error as { code?: unknown; command?: { name?: unknown } };
  if (typeof code === 'string' || typeof code === 'number') kept.code = code;
  if (typeof command?.name === 'string') kept.command = command.name;
  return kept;
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
