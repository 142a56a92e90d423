import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';

export const IDEMPOTENCY_KEY_MAX = 64;

/**
 * The `idempotencyKey` that every POST body of the server API may carry. A route's body DTO
 * extends it (or is intersected with it), so that the key is validated and documented with the rest.
 */
export class IdempotencyKeyDto {
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: IDEMPOTENCY_KEY_MAX,
    description:
      'The same key on the same route (and path) within 24 hours returns the first answer again, ' +
      'same status and body, and does nothing more.',
  })
  @IsOptional()
  @IsString()
  @Length(1, IDEMPOTENCY_KEY_MAX)
  idempotencyKey?: string;
}
