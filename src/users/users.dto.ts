import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { IdempotencyKeyDto } from '../api/idempotency-key.dto.js';
import { Trimmed } from '../common/validators.js';
import { USER_ID_MAX } from '@switchboard/contract';

/** A user id as a path names it: any id a token's `sub` or a guest may have. */
export class UserIdDto {
  @ApiProperty({ minLength: 1, maxLength: USER_ID_MAX, description: 'the user id (URL-encoded)' })
  @IsString()
  @Length(1, USER_ID_MAX)
  userId!: string;
}

export class DisconnectUserDto extends IdempotencyKeyDto {
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 200,
    description: "the `message` of the sockets' session:ended; a default when left out",
  })
  @IsOptional()
  @Trimmed()
  @IsString()
  @Length(1, 200)
  reason?: string;
}

export class DisconnectedDto {
  @ApiProperty({ description: 'how many sockets of the user were disconnected, on every node' })
  sockets!: number;
}
