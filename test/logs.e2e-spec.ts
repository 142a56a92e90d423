import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { jest } from '@jest/globals';
import { createLogger } from '../src/logging/logger.js';
import { ChatService } from '../src/rooms/chat.service.js';
import {
  closeAllClients,
  connect,
  nextNotification,
  ok,
  refusal,
  request,
} from './support/clients.js';
import { bearer, postNotification } from './support/http.js';
import { joined } from './support/rooms.js';
import { startServer, type RunningServer } from './support/server.js';
import { signToken, TEST_JWT_SECRET } from './support/tokens.js';

/** Every line a logger wrote, kept in memory. */
class LogLines extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
}

/** A string that appears nowhere by chance, so that finding it in a log line means a leak. */
const marked = (what: string) => `${what}-${randomUUID()}`;

/**
 * A failure as ioredis reports one (a connection lost in the middle of a command): the command's
 * arguments, message texts included, ride along on the error.
 */
function storeFailure(...args: string[]): Error {
  const error = new Error('Command aborted due to connection close');
  return Object.assign(error, { command: { name: 'evalsha', args } });
}

describe('logs at level trace, through every event that carries a secret or a text', () => {
  const apiKey = marked('api-key');
  const wrongApiKey = marked('wrong-api-key');
  const secrets: Record<string, string> = { apiKey, wrongApiKey };
  const logs = new LogLines();
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer(
      { AUTH_JWT_SECRET: TEST_JWT_SECRET, NOTIFY_API_KEY: apiKey, NOTIFY_ACK_TIMEOUT_MS: '500' },
      createLogger('trace', logs),
    );
  });
  afterAll(() => closeAllClients());

  it('never holds a token, an API key or a text', async () => {
    const token = await signToken({ sub: marked('user'), name: 'Ada' });
    const forged = await signToken({ sub: 'mallory' }, { secret: marked('another-secret') });
    Object.assign(secrets, { token, signature: token.split('.')[2] ?? token, forged });

    const ada = await connect(server.url, { token });
    const bob = await connect(server.url, { name: 'bob' });
    await refusal(server.url, { token: forged });
    await refusal(server.url, { token: secrets.wrongApiKey });
    await joined(ada, 'logged');
    await joined(bob, 'logged');

    secrets.chatText = marked('chat-text');
    await ok(ada, 'chat:send', { room: 'logged', text: secrets.chatText, clientMsgId: 'one' });
    await ok(ada, 'chat:send', { room: 'logged', text: secrets.chatText, clientMsgId: 'one' });
    secrets.conflictingText = marked('conflicting-text');
    await request(ada, 'chat:send', {
      room: 'logged',
      text: secrets.conflictingText,
      clientMsgId: 'one',
    });

    secrets.forbiddenText = marked('forbidden-text');
    await request(bob, 'chat:send', { room: 'elsewhere', text: secrets.forbiddenText });
    secrets.invalidText = marked('invalid-text');
    await request(bob, 'chat:send', { room: 'logged', text: secrets.invalidText.repeat(200) });
    bob.emit('chat:send', { room: 'elsewhere', text: secrets.forbiddenText });
    await ok(bob, 'session:ping');

    secrets.failedText = marked('failed-text');
    jest
      .spyOn(server.app.get(ChatService), 'send')
      .mockRejectedValueOnce(storeFailure('sha', '1', 'room:logged', secrets.failedText))
      .mockRejectedValueOnce(storeFailure('sha', '1', 'room:logged', secrets.failedText));
    expect(await request(ada, 'chat:send', { room: 'logged', text: secrets.failedText })).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: expect.any(String) },
    });
    ada.emit('chat:send', { room: 'logged', text: secrets.failedText });
    await ok(ada, 'session:ping');

    secrets.title = marked('title');
    secrets.body = marked('body');
    const delivered = nextNotification(bob);
    await ok(ada, 'notification:send', {
      target: { userId: bob.welcome.user.id },
      title: secrets.title,
      body: secrets.body,
    });
    await delivered;

    secrets.httpBody = marked('http-body');
    const viaHttp = nextNotification(ada);
    const accepted = await postNotification(
      server.url,
      { target: { room: 'logged' }, title: 'from a backend', body: secrets.httpBody },
      bearer(apiKey),
    );
    expect(accepted.status).toBe(202);
    await viaHttp;
    await postNotification(server.url, { title: secrets.httpBody }, bearer(wrongApiKey));
    await postNotification(server.url, `{"body":"${secrets.httpBody}"`, bearer(apiKey));

    closeAllClients();
    await server.close();

    expect(logs.lines.length).toBeGreaterThan(10);
    // What is logged per connection, at debug, was captured too.
    expect(logs.lines.some((line) => line.includes('"level":20'))).toBe(true);
    expect(logs.lines.some((line) => line.includes('handshake refused'))).toBe(true);
    expect(logs.lines.some((line) => line.includes('event handler failed'))).toBe(true);
    const leaks = Object.entries(secrets).flatMap(([what, secret]) =>
      logs.lines.filter((line) => line.includes(secret)).map((line) => ({ what, line })),
    );
    expect(leaks).toEqual([]);
  });
});
