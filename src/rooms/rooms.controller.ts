import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Idempotent } from '../api/idempotency.interceptor.js';
import { ApiErrors, ApiPostErrors, ServerApiController } from '../api/server-api.decorators.js';
import { SYSTEM_SENDER } from '@switchboard/contract';
import { ChatService } from './chat.service.js';
import {
  HistoryQueryDto,
  MessageDto,
  MessagePageDto,
  PostMessageDto,
  PresentRoomsDto,
  ROOM_LIST_PAGE_DEFAULT,
  RoomListQueryDto,
  RoomMembersDto,
} from './rooms-api.dto.js';
import { RoomDto } from './rooms.dto.js';
import { RoomsService } from './rooms.service.js';

const BAD_ROOM = 'a room name that breaks the rules of rooms';

/** Rooms for other backends: the server API's view of presence and chat, no membership needed. */
@ApiTags('rooms')
@ServerApiController()
@Controller('api/rooms')
export class RoomsController {
  constructor(
    private readonly rooms: RoomsService,
    private readonly chat: ChatService,
  ) {}

  @Get()
  @ApiOkResponse({ type: PresentRoomsDto, description: 'the rooms where users are present' })
  @ApiErrors({ 400: 'VALIDATION_FAILED: a bad limit or cursor' })
  list(@Query() { limit = ROOM_LIST_PAGE_DEFAULT, cursor }: RoomListQueryDto) {
    return this.rooms.presentRooms(limit, cursor);
  }

  @Post(':room/messages')
  @HttpCode(201)
  @Idempotent()
  @ApiCreatedResponse({ type: MessageDto, description: 'stored and sent to the room' })
  @ApiPostErrors(`a bad body or ${BAD_ROOM}`, 'this clientMsgId was used for another text')
  @ApiErrors({
    429: 'RATE_LIMITED: the room has no history, and each of the HISTORY_MAX_ROOMS rooms with one had a message within HISTORY_EVICT_IDLE_SECONDS',
  })
  post(@Param() { room }: RoomDto, @Body() { user, text, clientMsgId }: PostMessageDto) {
    return this.chat.post(user ?? SYSTEM_SENDER, { room, text, clientMsgId });
  }

  @Get(':room/messages')
  @ApiOkResponse({ type: MessagePageDto, description: 'paged exactly like chat:history' })
  @ApiErrors({ 400: `VALIDATION_FAILED: bad paging or ${BAD_ROOM}` })
  history(@Param() { room }: RoomDto, @Query() query: HistoryQueryDto) {
    return this.chat.pageOf({ room, ...query });
  }

  @Get(':room/members')
  @ApiOkResponse({ type: RoomMembersDto, description: 'the users present in the room' })
  @ApiErrors({ 400: `VALIDATION_FAILED: ${BAD_ROOM}` })
  members(@Param() { room }: RoomDto) {
    return this.rooms.membersOf(room);
  }
}
