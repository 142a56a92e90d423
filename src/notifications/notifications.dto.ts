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
  @IsOptional() @IsObject() data?: object;
}
