import { IsInt, IsOptional, Min } from 'class-validator';
import { IsRoomName } from '../common/validators.js';

export class RoomDto {
  @IsRoomName() room!: string;
}

export class JoinRoomDto extends RoomDto {
  @IsOptional() @IsInt() @Min(0) after?: number;
}
