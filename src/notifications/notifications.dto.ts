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
import { IsRoomName } from '../common/validators.js';

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

export class TargetDto {
  @ValidateIf((target: TargetDto) => target.userId !== undefined)
  @IsString()
  @Length(1, 256)
  userId?: string;
  @ValidateIf((target: TargetDto) => target.room !== undefined) @IsRoomName() room?: string;
  @ValidateIf((target: TargetDto) => target.all !== undefined) @Equals(true) all?: true;
}

export class SendNotificationDto {
  @IsDefined() @Validate(OneTargetKind) @ValidateNested() @Type(() => TargetDto) target!: TargetDto;
  @IsString() @Length(1, 200) title!: string;
  @IsString() @Length(1, 2000) body!: string;
  @IsOptional() @IsObject() @Validate(FitsNotificationData) data?: object;
}
