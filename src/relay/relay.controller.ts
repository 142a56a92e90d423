import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiTags } from '@nestjs/swagger';
import { Idempotent } from '../api/idempotency.interceptor.js';
import { ApiPostErrors, ServerApiController } from '../api/server-api.decorators.js';
import { SYSTEM_SENDER } from '@switchboard/contract';
import type { Sender } from '../notifications/notifications.service.js';
import { RoomDto } from '../rooms/rooms.dto.js';
import { UserIdDto } from '../users/users.dto.js';
import { PostCustomEventDto, RecipientsDto } from './relay-api.dto.js';
import { RelayService } from './relay.service.js';

const SYSTEM: Sender = { kind: 'system', user: { ...SYSTEM_SENDER } };

/** Custom events from other backends, sent as `{ id: "system", name: "System" }`. */
@ApiTags('custom events')
@ServerApiController()
@Controller('api')
export class RelayController {
  constructor(private readonly relay: RelayService) {}

  @Post('rooms/:room/events')
  @HttpCode(202)
  @Idempotent()
  @ApiAcceptedResponse({ type: RecipientsDto, description: 'sent to the room as room:event' })
  @ApiPostErrors('a bad body, event name or room name')
  toRoom(@Param() { room }: RoomDto, @Body() { event, data }: PostCustomEventDto) {
    return this.relay.toRoom(SYSTEM, { room, event, data });
  }

  @Post('users/:userId/events')
  @HttpCode(202)
  @Idempotent()
  @ApiAcceptedResponse({
    type: RecipientsDto,
    description: "sent to the user's sockets as user:event",
  })
  @ApiPostErrors('a bad body, event name or user id')
  toUser(@Param() { userId }: UserIdDto, @Body() { event, data }: PostCustomEventDto) {
    return this.relay.toUser(SYSTEM, { userId, event, data });
  }
}
