import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiTags } from '@nestjs/swagger';
import { Idempotent } from '../api/idempotency.interceptor.js';
import { ApiPostErrors, ServerApiController } from '../api/server-api.decorators.js';
import { SYSTEM_SENDER } from '@switchboard/contract';
import { NotificationSentDto, PostNotificationDto } from './notifications.dto.js';
import { NotificationsService } from './notifications.service.js';

/** Notifications from other backends, from `system`. */
@ApiTags('notifications')
@ServerApiController()
@Controller('api/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Post()
  @HttpCode(202)
  @Idempotent()
  @ApiAcceptedResponse({ type: NotificationSentDto, description: 'sent (and kept for a user)' })
  @ApiPostErrors('a bad body')
  send(@Body() notification: PostNotificationDto) {
    return this.notifications.send({ kind: 'system', user: { ...SYSTEM_SENDER } }, notification);
  }
}
