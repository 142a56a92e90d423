import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Min } from 'class-validator';
import { TOKEN_MAX_LENGTH } from '../auth/session.dto.js';
import { IsRoomName } from '../common/validators.js';
import { ROOM_NAME, type JoinRoom, type RoomRef } from '@switchboard/contract';

export class RoomDto implements RoomRef {
  @ApiProperty({ description: 'the room name (URL-encoded in a path)', pattern: ROOM_NAME.source })
  @IsRoomName()
  room!: string;
}

export class JoinRoomDto extends RoomDto implements JoinRoom {
  @IsOptional() @IsInt() @Min(0) after?: number;
  /** A room token: the application's backend lets this user into this private room. */
  @IsOptional() @IsString() @Length(1, TOKEN_MAX_LENGTH) token?: string;
}
