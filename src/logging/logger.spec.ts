import { errorForLog } from './logger.js';

describe('errorForLog', () => {
  it('keeps the type, message, stack and code of an error', () => {
    const error = Object.assign(new TypeError('it broke'), { code: 'ECONNRESET' });

    expect(errorForLog(error)).toEqual({
      type: 'TypeError',
      message: 'it broke',
      stack: error.stack,
      code: 'ECONNRESET',
    });
  });

  it("keeps a failed Redis command's name but not its arguments, which hold what clients sent", () => {
    const error = Object.assign(new Error('Command aborted due to connection close'), {
      command: { name: 'evalsha', args: ['sha', '1', 'the text of a message'] },
    });

    const logged = errorForLog(error);

    expect(logged).toMatchObject({ message: error.message, command: 'evalsha' });
    expect(JSON.stringify(logged)).not.toContain('the text of a message');
  });

  it('drops any other field of an error', () => {
    const error = Object.assign(new Error('refused'), {
      payload: { text: 'secret' },
      config: { headers: { authorization: 'Bearer secret' } },
    });

    expect(JSON.stringify(errorForLog(error))).not.toContain('secret');
  });

  it('keeps only the kind of a thrown value that is not an error', () => {
    expect(errorForLog({ text: 'secret' })).toEqual({ type: 'object' });
    expect(errorForLog('a secret')).toEqual({ type: 'string' });
  });
});
