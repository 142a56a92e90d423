import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError, type ValidatorOptions } from 'class-validator';
import type { FieldProblems } from '@switchboard/contract';
import { AppError } from './app-error.js';

/** Far deeper than any payload of the contract, notification `data` included. */
export const MAX_PAYLOAD_DEPTH = 32;

const validatorOptions: ValidatorOptions = {
  whitelist: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
};

/**
 * Validates one event or request body against its DTO, synchronously: this runs on every event,
 * and `validateSync` costs about a microsecond where an async pipe costs a round of the event loop.
 */
export function validatePayload<T extends object>(dto: ClassConstructor<T>, payload: unknown): T {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw AppError.validation([{ field: 'payload', problems: ['payload must be an object'] }]);
  }
  if (nestsDeeperThan(payload, MAX_PAYLOAD_DEPTH)) {
    throw AppError.validation([
      {
        field: 'payload',
        problems: [`payload must not nest deeper than ${MAX_PAYLOAD_DEPTH} levels`],
      },
    ]);
  }
  const instance = plainToInstance(dto, payload);
  const errors = validateSync(instance, validatorOptions);
  if (errors.length > 0) {
    throw AppError.validation(flattenErrors(errors));
  }
  return instance;
}

/**
 * Checked before class-transformer walks the payload: it recurses, and a payload nested a few
 * thousand levels deep would overflow the stack. Iterative, and it stops at the first level too deep.
 */
function nestsDeeperThan(root: object, maxDepth: number): boolean {
  const pending: [unknown, number][] = [[root, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, depth] = next;
    if (depth > maxDepth) return true;
    for (const child of Object.values(value as object)) {
      // A binary value (a custom event's data) nests nothing: listing its bytes would cost a number each.
      if (child !== null && typeof child === 'object' && !ArrayBuffer.isView(child)) {
        pending.push([child, depth + 1]);
      }
    }
  }
  return false;
}

function flattenErrors(errors: ValidationError[], parentPath = ''): FieldProblems[] {
  return errors.flatMap((error) => {
    const field = parentPath ? `${parentPath}.${error.property}` : error.property;
    const own: FieldProblems[] = error.constraints
      ? [{ field, problems: Object.values(error.constraints) }]
      : [];
    return own.concat(flattenErrors(error.children ?? [], field));
  });
}
