import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ClassConstructor } from 'class-transformer';
import { validatePayload } from './payload-validation.js';

/** Turns an event's body into its DTO, or throws VALIDATION_FAILED: what a payload parameter gets. */
export type PayloadValidator = (dto: ClassConstructor<object>, payload: unknown) => object;

/** Keyed by the factory Nest stores in a parameter's metadata, the only thing the table can read. */
const validatorsByFactory = new WeakMap<object, PayloadValidator>();

/**
 * A parameter decorator taking a DTO, whose parameter receives the event's body as `validate`
 * returns it. The gateways' handler table (see handler-table.ts) finds `validate` from the
 * decorator's metadata and calls it directly, without building an ExecutionContext per event; the
 * factory keeps the decorator meaningful to Nest's own pipeline too.
 */
export function createPayloadDecorator<T extends object>(
  validate: (dto: ClassConstructor<T>, payload: unknown) => T,
) {
  const factory = (dto: ClassConstructor<T>, context: ExecutionContext) =>
    validate(dto, context.switchToWs().getData());
  // Widened: the DTO comes back from Nest's untyped metadata, whatever class the decorator named.
  validatorsByFactory.set(factory, validate as unknown as PayloadValidator);
  return createParamDecorator(factory);
}

/** The validator behind a payload decorator's factory; undefined for any other decorator's. */
export function payloadValidatorOf(factory: unknown): PayloadValidator | undefined {
  return typeof factory === 'function' ? validatorsByFactory.get(factory) : undefined;
}

/**
 * The event's body, validated against `dto`. A param decorator rather than a pipe: Nest awaits
 * every pipe, and this check is synchronous (see ARCHITECTURE.md, "The hot path").
 */
export const Payload = createPayloadDecorator(validatePayload);
