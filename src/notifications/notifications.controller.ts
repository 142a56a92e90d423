import { timingSafeEqual, createHash } from 'node:crypto';
import { Body, Controller, Headers, HttpCode, NotFoundException, Post } from '@nestjs/common';
import { AppError } from '../common/app-error.js';
import { validatePayload } from '../common/payload-validation.js';
import { AppConfig } from '../config/app-config.js';
import { SYSTEM_SENDER } from '../contract/types.js';
import { SendNotificationDto } from './notifications.dto.js';
import { NotificationsService } from './notifications.service.js';

/** Notifications from other backends, authenticated by the shared NOTIFY_API_KEY. */
@Controller('api/notifications')
export class NotificationsController {
  private readonly apiKeyDigest: Buffer | undefined;

  constructor(
    private readonly notifications: NotificationsService,
    config: AppConfig,
  ) {
    this.apiKeyDigest = config.notifyApiKey === undefined ? undefined : digest(config.notifyApiKey);
  }

  @Post()
  @HttpCode(202)
  send(@Headers('authorization') authorization: string | undefined, @Body() body: unknown) {
    if (this.apiKeyDigest === undefined) {
      throw new NotFoundException('the notifications API is off: NOTIFY_API_KEY is not set');
    }
    this.authorize(authorization, this.apiKeyDigest);
    const notification = validatePayload(SendNotificationDto, body);
    return this.notifications.send({ kind: 'system', user: { ...SYSTEM_SENDER } }, notification);
  }

  private authorize(authorization: string | undefined, expected: Buffer): void {
    const presented = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    // Both sides are hashed to one length first, so the comparison's time says nothing of the key.
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      throw new AppError('UNAUTHORIZED', 'a valid Bearer NOTIFY_API_KEY is required');
    }
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
