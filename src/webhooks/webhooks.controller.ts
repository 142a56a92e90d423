import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ServerApiController } from '../api/server-api.decorators.js';
import { WebhookStatusDto } from './webhook-status.dto.js';
import { WebhookStatus } from './webhook-status.js';

/** The webhooks' state for other backends and operators. */
@ApiTags('webhooks')
@ServerApiController()
@Controller('api/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhookStatus) {}

  @Get()
  @ApiOkResponse({ type: WebhookStatusDto, description: 'what waits, and how deliveries went' })
  status() {
    return this.webhooks.status();
  }
}
