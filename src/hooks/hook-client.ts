import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Agent, request } from 'undici';
import { AppError } from '../common/app-error.js';
import { signatureHeader } from '../common/signature.js';
import { AppConfig } from '../config/app-config.js';
import type { HookSettings } from '../config/hook-settings.js';
import { APP_LOGGER, type Logger } from '../logging/logger.js';
import { MetricsService, type HookName } from '../metrics/metrics.service.js';
import { binaryAsBase64 } from '../common/binary-json.js';

/** What the backend answered, its body read (within a bound) but not yet judged. */
export interface HookAnswer {
  status: number;
  /** The body parsed as JSON; throws MalformedAnswer when it is not JSON (an empty body is). */
  json(): unknown;
}

/**
 * Thrown while reading an answer that does not follow the contract: it is UNAVAILABLE for the
 * client, and its message is logged for the operator (never sent to the client).
 */
export class MalformedAnswer extends Error {
  override readonly name = 'MalformedAnswer';
}

/** Decides what an answer means: a value, an AppError refusal, or MalformedAnswer. */
export type AnswerReader<T> = (answer: HookAnswer) => T;

/** A failing backend is logged at most this often per hook, not once per event. */
const LOG_INTERVAL_MS = 1000;

/**
 * The one HTTP client of the hooks: keep-alive connections (undici's Agent), each request signed
 * with HOOK_SECRET, bounded by HOOK_TIMEOUT_MS from the call to the last byte of the answer, at most
 * HOOK_MAX_IN_FLIGHT at a time on this node (beyond: UNAVAILABLE at once, so that a slow backend
 * cannot pile up waiting events), and an answer no bigger than a client's packet may be.
 */
@Injectable()
export class HookClient implements OnApplicationShutdown {
  private readonly settings: HookSettings | undefined;
  private readonly agent: Agent | undefined;
  private readonly answerMaxBytes: number;
  private inFlight = 0;
  private readonly parsedUrls = new Map<string, URL>();
  private readonly loggedAt = new Map<HookName, { at: number; suppressed: number }>();

  constructor(
    config: AppConfig,
    private readonly metrics: MetricsService,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.settings = config.hooks;
    this.answerMaxBytes = config.maxPayloadBytes;
    this.agent =
      this.settings === undefined
        ? undefined
        : new Agent({
            keepAliveTimeout: 30_000,
            // Beyond this many open connections to one origin, requests wait for a free one.
            connections: Math.min(this.settings.maxInFlight, 64),
          });
  }

  /**
   * POSTs `payload` to `url` and reads the answer with `read`. Resolves with what `read` makes of
   * it; rejects with the AppError that `read` throws for a refusal, or UNAVAILABLE when the backend
   * is busy, slow, unreachable or answers against the contract. Counted per hook and outcome.
   */
  async ask<T>(hook: HookName, url: string, payload: object, read: AnswerReader<T>): Promise<T> {
    const started = performance.now();
    if (this.settings === undefined || this.agent === undefined) {
      throw new Error('hooks are off: no hook may be asked');
    }
    if (this.inFlight >= this.settings.maxInFlight) {
      this.metrics.hookCalled(hook, 'unavailable', 0);
      throw new AppError('UNAVAILABLE', 'the application backend is busy: retry later');
    }
    this.inFlight += 1;
    try {
      const answer = await this.post(
        url,
        JSON.stringify(binaryAsBase64(payload)),
        this.settings,
        this.agent,
      );
      const value = read(answer);
      this.metrics.hookCalled(hook, 'ok', seconds(started));
      return value;
    } catch (error) {
      if (error instanceof AppError && error.code !== 'UNAVAILABLE') {
        this.metrics.hookCalled(hook, 'refused', seconds(started));
        throw error;
      }
      this.metrics.hookCalled(hook, 'unavailable', seconds(started));
      this.logFailure(hook, error);
      throw new AppError('UNAVAILABLE', 'the application backend did not answer: retry later');
    } finally {
      this.inFlight -= 1;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent?.close();
  }

  private async post(
    url: string,
    body: string,
    settings: HookSettings,
    agent: Agent,
  ): Promise<HookAnswer> {
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new MalformedAnswer(`no answer within ${settings.timeoutMs} ms`)),
      settings.timeoutMs,
    );
    try {
      const response = await request(this.parsedUrl(url), {
        method: 'POST',
        dispatcher: agent,
        signal: deadline.signal,
        headers: {
          'content-type': 'application/json',
          'switchboard-signature': signatureHeader(settings.secret, body),
        },
        body,
      });
      const text = await this.boundedText(response.body, response.headers['content-length']);
      return { status: response.statusCode, json: () => parsed(text) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** The body as text, refused (and its connection dropped) past answerMaxBytes. */
  private async boundedText(
    body: AsyncIterable<Buffer> & { destroy(error?: Error): unknown },
    contentLength: string | string[] | undefined,
  ): Promise<string> {
    // Made only when needed: an error captures a stack, which every answer would pay for.
    const tooBig = () => {
      const error = new MalformedAnswer(`the answer is over ${this.answerMaxBytes} bytes`);
      body.destroy(error);
      return error;
    };
    if (typeof contentLength === 'string' && Number(contentLength) > this.answerMaxBytes) {
      throw tooBig();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > this.answerMaxBytes) throw tooBig();
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Parsed once per hook URL (there are four at most), not once per request. */
  private parsedUrl(url: string): URL {
    let parsed = this.parsedUrls.get(url);
    if (parsed === undefined) {
      parsed = new URL(url);
      this.parsedUrls.set(url, parsed);
    }
    return parsed;
  }

  private logFailure(hook: HookName, error: unknown): void {
    const now = Date.now();
    const last = this.loggedAt.get(hook);
    if (last !== undefined && now - last.at < LOG_INTERVAL_MS) {
      last.suppressed += 1;
      return;
    }
    this.loggedAt.set(hook, { at: now, suppressed: 0 });
    this.logger.warn(
      { hook, reason: (error as Error).message, suppressed: last?.suppressed ?? 0 },
      'hook unavailable: the event was answered UNAVAILABLE',
    );
  }
}

function parsed(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MalformedAnswer('the answer is not JSON');
  }
}

function seconds(started: number): number {
  return (performance.now() - started) / 1000;
}
