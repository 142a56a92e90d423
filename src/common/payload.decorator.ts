import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ClassConstructor } from 'class-transformer';
import { validatePayload } from './payload-validation.js';

/**
 * The event's body, validated against `dto`. A param decorator rather than a pipe: Nest awaits
 * every pipe, and this check is synchronous (see ARCHITECTURE.md, "The hot path").
 */
export const Payload = createParamDecorator(
  (dto: ClassConstructor<object>, context: ExecutionContext) =>
    validatePayload(dto, context.switchToWs().getData()),
);
