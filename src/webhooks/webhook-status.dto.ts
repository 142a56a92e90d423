import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class WebhookFailureDto {
  @ApiProperty({ description: 'when the try ended, in ms since the epoch' }) at!: number;
  @ApiPropertyOptional({ description: "the receiver's status, when it answered" }) status?: number;
  @ApiProperty({ description: 'what went wrong' }) message!: string;
}

/** The answer of `GET /api/webhooks` (docs/protocol.md, Webhooks). */
export class WebhookStatusDto {
  @ApiProperty({ description: 'WEBHOOK_URL without the credentials it may hold' }) url!: string;
  @ApiProperty({ description: "events not yet delivered, the failing delivery's included" })
  queued!: number;
  @ApiProperty({ description: 'age of the oldest of them in ms; 0 when there is none' })
  oldestAgeMs!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'when a delivery last succeeded, in ms since the epoch; null before the first',
  })
  lastSuccessAt!: number | null;
  @ApiPropertyOptional({ type: WebhookFailureDto, description: 'the last failed try' })
  lastFailure?: WebhookFailureDto;
  @ApiProperty({
    description:
      'events dropped: beyond WEBHOOK_QUEUE_MAX, or not delivered within WEBHOOK_RETRY_SECONDS',
  })
  dropped!: number;
}
