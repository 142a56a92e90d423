import { Global, Module } from '@nestjs/common';
import { WebhookOutbox } from './webhook-outbox.js';
import { Webhooks } from './webhooks.js';

const PROVIDERS = [WebhookOutbox, Webhooks];

/**
 * Events out to the application's backend. Global, so that every feature that is a source of
 * events injects `Webhooks` without importing this module.
 */
@Global()
@Module({
  providers: PROVIDERS,
  exports: [Webhooks],
})
export class WebhooksModule {}
