import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  Equals,
  IsDefined,
  IsObject,
  IsOptional,
  IsString,
  Length,
  ValidateNested,
  ValidateIf,
  type ValidationArguments,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
  Validate,
} from 'class-validator';
import { IdempotencyKeyDto } from '../api/idempotency-key.dto.js';
import { IsRoomName } from '../common/validators.js';
import { NOTIFICATION_BODY_MAX, NOTIFICATION_TITLE_MAX, USER_ID_MAX } from '@switchboard/contract';

const TARGET_KINDS = ['userId', 'room', 'all'] as const;

/** What `data` may weigh as JSON: enough for ids and links, small enough to keep pending. */
export const NOTIFICATION_DATA_MAX_BYTES = 8 * 1024;

@ValidatorConstraint({ name: 'jsonSize' })
class FitsNotificationData implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return Buffer.byteLength(JSON.stringify(value) ?? '') <= NOTIFICATION_DATA_MAX_BYTES;
  }
  defaultMessage(): string {
    return `data must be at most ${NOTIFICATION_DATA_MAX_BYTES} bytes as JSON`;
  }
}

@ValidatorConstraint({ name: 'oneTarget' })
class OneTargetKind implements ValidatorConstraintInterface {
  validate(_value: unknown, args: ValidationArguments): boolean {
    const target = args.value as Record<string, unknown> | undefined;
    return (
      typeof target === 'object' &&
      target !== null &&
      TARGET_KINDS.filter((kind) => target[kind] !== undefined).length === 1
    );
  }
  defaultMessage(): string {
    return 'target must be exactly one of { userId }, { room } or { all: true }';
  }
}

/** Exactly one of its three fields. */
export class TargetDto {
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: USER_ID_MAX,
    description: 'every socket of this user',
  })
  @ValidateIf((target: TargetDto) => target.userId !== undefined)
  @IsString()
  @Length(1, USER_ID_MAX)
  userId?: string;

  @ApiPropertyOptional({ description: 'every socket in this room' })
  @ValidateIf((target: TargetDto) => target.room !== undefined)
  @IsRoomName()
  room?: string;

  @ApiPropertyOptional({ enum: [true], description: 'every connected socket' })
  @ValidateIf((target: TargetDto) => target.all !== undefined)
  @Equals(true)
  all?: true;
}

export class SendNotificationDto {
  @ApiProperty({ type: TargetDto, description: '{ userId }, { room } or { all: true }' })
  @IsDefined()
  @Validate(OneTargetKind)
  @ValidateNested()
  @Type(() => TargetDto)
  target!: TargetDto;

  @ApiProperty({ minLength: 1, maxLength: NOTIFICATION_TITLE_MAX })
  @IsString()
  @Length(1, NOTIFICATION_TITLE_MAX)
  title!: string;
  @ApiProperty({ minLength: 1, maxLength: NOTIFICATION_BODY_MAX })
  @IsString()
  @Length(1, NOTIFICATION_BODY_MAX)
  body!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: `at most ${NOTIFICATION_DATA_MAX_BYTES} bytes as JSON`,
  })
  @IsOptional()
  @IsObject()
  @Validate(FitsNotificationData)
  data?: object;
}

/** POST /api/notifications: a notification:send's payload, idempotent. */
export class PostNotificationDto extends IntersectionType(SendNotificationDto, IdempotencyKeyDto) {}

export class NotificationSentDto {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'how many sockets it was sent to' }) recipients!: number;
}
