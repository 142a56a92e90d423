import { applyDecorators, UsePipes } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiPayloadTooLargeResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { ErrorCode } from '@switchboard/contract';
import { PayloadPipe } from './payload.pipe.js';

/** The name of the bearer scheme in the OpenAPI document. */
export const API_KEY_SCHEME = 'apiKey';

const ERROR_CODES: ErrorCode[] = [
  'VALIDATION_FAILED',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'PAYLOAD_TOO_LARGE',
  'INTERNAL',
  'UNAVAILABLE',
];

/** Every error of the server API, in the OpenAPI document (see HttpErrorFilter). */
export class ApiErrorBody {
  @ApiProperty({ enum: ERROR_CODES }) code!: ErrorCode;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({
    description: 'For VALIDATION_FAILED: a list of { field, problems: string[] }',
    type: 'array',
    items: {
      type: 'object',
      properties: {
        field: { type: 'string' },
        problems: { type: 'array', items: { type: 'string' } },
      },
    },
  })
  details?: unknown;
}

/**
 * A controller of the server API: behind the API key (checked by `apiKeyGate` before the body is
 * read; declared here for the document), its inputs validated by PayloadPipe, and the errors
 * every route may answer.
 */
export const ServerApiController = () =>
  applyDecorators(
    ApiBearerAuth(API_KEY_SCHEME),
    UsePipes(PayloadPipe),
    ApiUnauthorizedResponse({ description: 'a missing or wrong key', type: ApiErrorBody }),
    ApiNotFoundResponse({
      description: 'the API is off (neither API_KEY nor NOTIFY_API_KEY is set)',
      type: ApiErrorBody,
    }),
  );

/** Errors a route answers beyond those of every route, by status, with what they mean there. */
export const ApiErrors = (errors: Record<number, string>) =>
  applyDecorators(
    ...Object.entries(errors).map(([status, description]) =>
      ApiResponse({ status: Number(status), description, type: ApiErrorBody }),
    ),
  );

/**
 * The errors of every POST route: a bad body (`badBody` says what else is refused as 400), a body
 * over the limit, a key still at work (and `conflict`, what else is a 409 there).
 */
export const ApiPostErrors = (badBody: string, conflict?: string) =>
  applyDecorators(
    ApiErrors({
      400: `VALIDATION_FAILED: ${badBody}`,
      409:
        'CONFLICT: a request with the same idempotencyKey is still at work' +
        (conflict === undefined ? '' : `, or ${conflict}`),
    }),
    ApiPayloadTooLargeResponse({ description: 'a body over 64 KB', type: ApiErrorBody }),
  );
