import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsString, Matches } from 'class-validator';
import { USER_ROOM_PREFIX, ROOM_NAME } from '@switchboard/contract';

/** Room names: 1–64 of `A-Z a-z 0-9 _ . : -`, never a private `user:` room. */
export const IsRoomName = () =>
  applyDecorators(
    IsString(),
    Matches(ROOM_NAME, {
      message: `$property must be 1–64 characters of A-Z a-z 0-9 _ . : - and not start with "${USER_ROOM_PREFIX}"`,
    }),
  );

/** Trims a string before it is checked, so that limits count what is kept. */
export const Trimmed = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));
