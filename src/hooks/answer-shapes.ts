import { MalformedAnswer } from './hook-client.js';

/**
 * Small checks of a backend's answer, read like a client's payload: anything unexpected is a
 * MalformedAnswer (UNAVAILABLE for the client), never a value taken on trust.
 */

export function objectOf(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new MalformedAnswer('the answer is not a JSON object');
  }
  return body as Record<string, unknown>;
}

export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new MalformedAnswer(`"${field}" is not a string`);
  return value;
}

export function optionalStrings(
  body: Record<string, unknown>,
  field: string,
): string[] | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new MalformedAnswer(`"${field}" is not a list of strings`);
  }
  return value;
}

export function isSuccess(status: number): boolean {
  return status === 200;
}

export function unexpectedStatus(status: number): MalformedAnswer {
  return new MalformedAnswer(`the backend answered HTTP ${status}`);
}
