import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import { AppConfig } from '../config/app-config.js';
import type { JoinHookRequest, User } from '@switchboard/contract';
import { isSuccess, objectOf, optionalString, unexpectedStatus } from './answer-shapes.js';
import { HookClient, MalformedAnswer, type HookAnswer } from './hook-client.js';

/** HOOK_JOIN_URL: the backend decides who enters a room that needs a grant the socket lacks. */
@Injectable()
export class JoinHook {
  private readonly url: string | undefined;

  constructor(
    config: AppConfig,
    private readonly client: HookClient,
  ) {
    this.url = config.hooks?.joinUrl;
  }

  get enabled(): boolean {
    return this.url !== undefined;
  }

  /** Resolves when the backend lets `user` in; FORBIDDEN with its message, else UNAVAILABLE. */
  async assertMayJoin(user: User, room: string, socketId: string): Promise<void> {
    const request: JoinHookRequest = { user, room, socketId };
    await this.client.ask('join', this.url!, request, readJoinAnswer);
  }
}

function readJoinAnswer(answer: HookAnswer): void {
  if (!isSuccess(answer.status)) throw unexpectedStatus(answer.status);
  const body = objectOf(answer.json());
  if (body.allow === true) return;
  if (body.allow !== false) throw new MalformedAnswer('"allow" is not a boolean');
  throw new AppError(
    'FORBIDDEN',
    optionalString(body, 'message') ?? 'the application does not let this user in',
  );
}
