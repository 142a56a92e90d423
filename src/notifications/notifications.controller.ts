import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { validatePayload } from '../common/payload-validation.js';
import { SYSTEM_SENDER } from '../contract/types.js';
import { SendNotificationDto } from './notifications.dto.js';
import { NotificationsService } from './notifications.service.js';

/** Notifications from other backends; `apiKeyGate` has let only holders of the API key in. */
@Controller('api/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Post()
  @HttpCode(202)
  send(@Body() body: unknown) {
    const notification = validatePayload(SendNotificationDto, body);
    return this.notifications.send({ kind: 'system', user: { ...SYSTEM_SENDER } }, notification);
  }
}
