import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import type { ClassConstructor } from 'class-transformer';
import { validatePayload } from '../common/payload-validation.js';

/**
 * Validates a server API route's body, path parameters or query against the DTO its parameter is
 * declared with, exactly as the socket events are validated (the same function, often the same
 * DTO), so that the two edges refuse the same things with the same details.
 */
@Injectable()
export class PayloadPipe implements PipeTransform {
  transform(value: unknown, { metatype }: ArgumentMetadata): unknown {
    return validatePayload(metatype as ClassConstructor<object>, value);
  }
}
