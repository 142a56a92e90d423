import { SendMessageDto } from '../rooms/chat.dto.js';
import { JoinRoomDto } from '../rooms/rooms.dto.js';
import { SendNotificationDto } from '../notifications/notifications.dto.js';
import { AppError } from './app-error.js';
import { validatePayload } from './payload-validation.js';

function problemsOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('VALIDATION_FAILED');
    return (error as AppError).details;
  }
  throw new Error('the payload was accepted');
}

describe('validatePayload', () => {
  it('returns the DTO with trimmed text and unknown fields dropped', () => {
    const dto = validatePayload(SendMessageDto, { room: 'lobby', text: '  hi  ', extra: true });
    expect(dto).toBeInstanceOf(SendMessageDto);
    expect({ ...dto }).toEqual({ room: 'lobby', text: 'hi' });
  });

  it.each([['a string'], [42], [null], [undefined], [[1, 2]]])(
    'refuses a payload that is not an object: %p',
    (payload) => {
      expect(problemsOf(() => validatePayload(JoinRoomDto, payload))).toEqual([
        { field: 'payload', problems: ['payload must be an object'] },
      ]);
    },
  );

  it('lists every field with its problems', () => {
    const details = problemsOf(() =>
      validatePayload(SendMessageDto, { room: 'user:alice', text: '   ', clientMsgId: '' }),
    );
    expect(details).toEqual(
      expect.arrayContaining([
        { field: 'room', problems: [expect.stringContaining('user:')] },
        { field: 'text', problems: [expect.any(String)] },
        { field: 'clientMsgId', problems: [expect.any(String)] },
      ]),
    );
  });

  it.each([
    ['a'.repeat(64), true],
    ['a'.repeat(65), false],
    ['', false],
    ['a b', false],
    ['Team_1.eu:chat-2', true],
  ])('checks room name %p (valid: %p)', (room, valid) => {
    const run = () => validatePayload(JoinRoomDto, { room });
    if (valid) expect(run()).toMatchObject({ room });
    else expect(problemsOf(run)).toEqual([{ field: 'room', problems: [expect.any(String)] }]);
  });

  it('names nested fields by their path and needs exactly one target kind', () => {
    expect(
      problemsOf(() =>
        validatePayload(SendNotificationDto, {
          target: { room: 'bad room' },
          title: 't',
          body: 'b',
        }),
      ),
    ).toEqual([{ field: 'target.room', problems: [expect.any(String)] }]);
    expect(
      problemsOf(() =>
        validatePayload(SendNotificationDto, {
          target: { room: 'r', userId: 'u' },
          title: 't',
          body: 'b',
        }),
      ),
    ).toEqual([{ field: 'target', problems: [expect.stringContaining('exactly one')] }]);
    expect(
      problemsOf(() =>
        validatePayload(SendNotificationDto, { target: { all: 'yes' }, title: 't', body: 'b' }),
      ),
    ).toEqual([{ field: 'target.all', problems: [expect.any(String)] }]);
  });
});
