import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import { AppConfig } from '../config/app-config.js';
import {
  RPC_ERROR_CODES,
  type RpcHookRequest,
  type ErrorCode,
  type User,
} from '@switchboard/contract';
import { assertRelayable } from '../relay/relayed-size.js';
import { isSuccess, objectOf, unexpectedStatus } from './answer-shapes.js';
import { HookClient, MalformedAnswer, type HookAnswer } from './hook-client.js';

/** The client event `rpc`, answered by HOOK_RPC_URL: the application's own requests. */
@Injectable()
export class RpcHook {
  private readonly url: string | undefined;
  private readonly dataMaxBytes: number;

  constructor(
    config: AppConfig,
    private readonly client: HookClient,
  ) {
    this.url = config.hooks?.rpcUrl;
    this.dataMaxBytes = config.relayMaxBytes;
  }

  /** The backend's `data` (null when it gave none); its 4xx refusal as that error; else UNAVAILABLE. */
  call(user: User, socketId: string, method: string, data: unknown): Promise<unknown> {
    assertRelayable(data, this.dataMaxBytes);
    if (this.url === undefined) {
      throw new AppError('NOT_FOUND', 'no RPC method is served: HOOK_RPC_URL is unset');
    }
    const request: RpcHookRequest = { user, socketId, method, data: data ?? null };
    return this.client.ask('rpc', this.url, request, readRpcAnswer);
  }
}

function readRpcAnswer(answer: HookAnswer): unknown {
  const { status } = answer;
  if (isSuccess(status)) {
    const body = objectOf(answer.json());
    return body.data === undefined ? null : body.data;
  }
  if (status >= 400 && status < 500) throw refusalOf(objectOf(answer.json()));
  throw unexpectedStatus(status);
}

function refusalOf(body: Record<string, unknown>): AppError {
  const { code, message, details } = body;
  if (!(RPC_ERROR_CODES as readonly unknown[]).includes(code)) {
    throw new MalformedAnswer(`"code" is not one of ${RPC_ERROR_CODES.join(', ')}`);
  }
  if (typeof message !== 'string') throw new MalformedAnswer('"message" is not a string');
  if (code === 'VALIDATION_FAILED' && !isFieldProblems(details)) {
    throw new MalformedAnswer('VALIDATION_FAILED needs "details": [{ field, problems: [] }]');
  }
  return new AppError(code as ErrorCode, message, details);
}

function isFieldProblems(details: unknown): boolean {
  return (
    Array.isArray(details) &&
    details.every((entry: unknown) => {
      const { field, problems } = (entry ?? {}) as { field?: unknown; problems?: unknown };
      return (
        typeof field === 'string' &&
        Array.isArray(problems) &&
        problems.every((problem) => typeof problem === 'string')
      );
    })
  );
}
