import { Exclude, type ClassConstructor } from 'class-transformer';
import { IsString, Length, Matches } from 'class-validator';
import { validatePayload } from '../common/payload-validation.js';
import { createPayloadDecorator } from '../common/payload.decorator.js';
import { IsRoomName } from '../common/validators.js';
import { USER_ID_MAX, EVENT_NAME, type RoomEmit, type UserEmit } from '@switchboard/contract';

/** A custom event's own name and data, whoever sends it (a socket, or a backend over HTTP). */
export class CustomEventDto {
  @Matches(EVENT_NAME, { message: '$property must be 1–64 characters of A-Z a-z 0-9 _ . : -' })
  @IsString()
  event!: string;

  /**
   * Left out of class-transformer's copy, which would copy every binary value and drop the keys
   * named `constructor` or `__proto__`; `validateCustomEvent` puts it back exactly as it came.
   */
  @Exclude()
  data?: unknown;
}

export class RoomEmitDto extends CustomEventDto implements RoomEmit {
  @IsRoomName() room!: string;
}

export class UserEmitDto extends CustomEventDto implements UserEmit {
  @IsString() @Length(1, USER_ID_MAX) userId!: string;
}

/**
 * Validates a custom event or an `rpc` (its name, its room or user: its `data` is any JSON and
 * weighed by the relay) and hands back its `data` as sent, the same object: relayed without a copy.
 */
export function validateCustomEvent<T extends { data?: unknown }>(
  dto: ClassConstructor<T>,
  payload: unknown,
): T {
  const customEvent = validatePayload(dto, payload);
  customEvent.data = (payload as { data?: unknown }).data;
  return customEvent;
}

/** The `@Payload` of a custom event (see `validateCustomEvent`). */
export const CustomEventPayload = createPayloadDecorator(validateCustomEvent);
