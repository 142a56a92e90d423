import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import { IdempotencyKeyDto } from '../api/idempotency-key.dto.js';
import { withoutMisleadingCharacters } from '../auth/identity-rules.js';
import { HISTORY_PAGE_DEFAULT, HISTORY_PAGE_MAX, USER_ID_MAX } from '@switchboard/contract';
import { SendMessageDto } from './chat.dto.js';

/**
 * The server API's own shapes for rooms: what a URL or a JSON body carries that a socket event
 * does not. The rules they share with the socket events come from the events' DTOs.
 */

export const ROOM_LIST_PAGE_MAX = 500;
export const ROOM_LIST_PAGE_DEFAULT = 100;

/** A query string carries text: integers are read from it, anything else is left to be refused. */
const IntegerFromQuery = () => Type(() => Number);

/**
 * A name as a token's is shown: without control and format characters, trimmed. The caller holds
 * the API key and may speak as anyone (`system` included), but a name must still read as it is.
 */
const ShownName = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? withoutMisleadingCharacters(value).trim() : value,
  );

export class UserDto {
  @ApiProperty({ minLength: 1, maxLength: USER_ID_MAX })
  @IsString()
  @Length(1, USER_ID_MAX)
  id!: string;
  @ApiProperty({
    minLength: 1,
    maxLength: 64,
    description: 'shown without its control and format characters (Unicode Cc and Cf), trimmed',
  })
  @ShownName()
  @IsString()
  @Length(1, 64)
  name!: string;
}

export class PostMessageDto extends IntersectionType(
  OmitType(SendMessageDto, ['room'] as const),
  IdempotencyKeyDto,
) {
  @ApiPropertyOptional({
    type: UserDto,
    description: 'who the message is from; { id: "system", name: "System" } when left out',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => UserDto)
  user?: UserDto;
}

/** chat:history's paging, from a query string. */
export class HistoryQueryDto {
  @ApiPropertyOptional({ minimum: 0, description: 'the first messages with offset > after' })
  @IsOptional()
  @IntegerFromQuery()
  @IsInt()
  @Min(0)
  after?: number;
  @ApiPropertyOptional({ minimum: 1, description: 'the last messages with offset < before' })
  @IsOptional()
  @IntegerFromQuery()
  @IsInt()
  @Min(1)
  before?: number;
  @ApiPropertyOptional({ minimum: 1, maximum: HISTORY_PAGE_MAX, default: HISTORY_PAGE_DEFAULT })
  @IsOptional()
  @IntegerFromQuery()
  @IsInt()
  @Min(1)
  @Max(HISTORY_PAGE_MAX)
  limit?: number;
}

export class RoomListQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: ROOM_LIST_PAGE_MAX, default: ROOM_LIST_PAGE_DEFAULT })
  @IsOptional()
  @IntegerFromQuery()
  @IsInt()
  @Min(1)
  @Max(ROOM_LIST_PAGE_MAX)
  limit?: number;
  @ApiPropertyOptional({ description: "the previous page's cursor, to page on" })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  cursor?: string;
}

export class MessageDto {
  @ApiProperty() id!: string;
  @ApiProperty() room!: string;
  @ApiProperty({ minimum: 1 }) offset!: number;
  @ApiProperty({ type: UserDto }) user!: UserDto;
  @ApiProperty() text!: string;
  @ApiProperty({ description: 'milliseconds since the epoch' }) ts!: number;
  @ApiPropertyOptional() clientMsgId?: string;
}

export class MessagePageDto {
  @ApiProperty({ type: [MessageDto], description: 'oldest first' }) messages!: MessageDto[];
  @ApiProperty({ description: 'whether more messages lie further in the direction paged' })
  hasMore!: boolean;
}

export class RoomMembersDto {
  @ApiProperty() room!: string;
  @ApiProperty({ type: [UserDto] }) members!: UserDto[];
}

export class PresentRoomDto {
  @ApiProperty() room!: string;
  @ApiProperty({ description: 'how many users are present' }) members!: number;
  @ApiProperty({ description: "the room's newest offset (0 when it has no history)" })
  lastOffset!: number;
}

export class PresentRoomsDto {
  @ApiProperty({ type: [PresentRoomDto] }) rooms!: PresentRoomDto[];
  @ApiPropertyOptional({ description: 'set when more rooms follow: pass it to get them' })
  cursor?: string;
}
