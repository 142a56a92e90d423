import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { validatePayload } from '../common/payload-validation.js';
import { SYSTEM_SENDER } from '../contract/types.js';
import { SendNotificationDto } from './notifications.dto.js';
import { NotificationsService } from './notifications.service.js';

/** Where the API key is checked, before the body is even parsed (see the bootstrap). */
export const NOTIFICATIONS_API_PATH = '/api/notifications';

/** Notifications from other backends; `apiKeyGate` has let only holders of NOTIFY_API_KEY in. */
@Controller(NOTIFICATIONS_API_PATH)
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Post()
  @HttpCode(202)
  send(@Body() body: unknown) {
    const notification = validatePayload(SendNotificationDto, body);
    return this.notifications.send({ kind: 'system', user: { ...SYSTEM_SENDER } }, notification);
  }
}
