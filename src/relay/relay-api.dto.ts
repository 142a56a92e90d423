import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsString, Matches } from 'class-validator';
import { IdempotencyKeyDto } from '../api/idempotency-key.dto.js';
import { EVENT_NAME } from '@switchboard/contract';

/** A custom event posted by another backend, to a room or a user. */
export class PostCustomEventDto extends IdempotencyKeyDto {
  @ApiProperty({ pattern: EVENT_NAME.source, description: "the application's own event name" })
  @Matches(EVENT_NAME, { message: '$property must be 1–64 characters of A-Z a-z 0-9 _ . : -' })
  @IsString()
  event!: string;

  @ApiPropertyOptional({
    description: 'any JSON value, at most RELAY_MAX_BYTES as JSON; delivered as `data`',
  })
  @Allow()
  data?: unknown;
}

export class RecipientsDto {
  @ApiProperty({ description: 'the sockets it was sent to, on every node' })
  recipients!: number;
}
