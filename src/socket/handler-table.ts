import {
  CUSTOM_ROUTE_ARGS_METADATA,
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
  PIPES_METADATA,
} from '@nestjs/common/constants.js';
import { MetadataScanner } from '@nestjs/core';
import {
  MESSAGE_MAPPING_METADATA,
  MESSAGE_METADATA,
  PARAM_ARGS_METADATA,
} from '@nestjs/websockets/constants.js';
import { WsParamtype } from '@nestjs/websockets/enums/ws-paramtype.enum.js';
import type { ClassConstructor } from 'class-transformer';
import type { ClientSocket } from '../common/client-socket.js';
import { payloadValidatorOf } from '../common/payload.decorator.js';

/**
 * A gateway method ready to run: its parameters filled from the socket and the event's body. It
 * returns what the method returns (a value, or a promise of one) and throws what it throws.
 */
export type EventHandler = (socket: ClientSocket, payload: unknown) => unknown;

/** Every client event the gateways subscribe to, with its handler: one table for all sockets. */
export type HandlerTable = ReadonlyMap<string, EventHandler>;

/** What one parameter of a handler receives, resolved per event. */
type ParameterSource = (socket: ClientSocket, payload: unknown) => unknown;

/** How a parameter decorator stores itself in Nest's `PARAM_ARGS_METADATA` record. */
interface ParameterMetadata {
  index: number;
  data?: unknown;
  pipes?: unknown[];
  factory?: unknown;
}

/**
 * Nest's per-handler machinery (guards, interceptors, pipes, filters) is what this table replaces:
 * the dispatcher turns errors into replies itself. A gateway that asks for any of them would have
 * it silently ignored, so building the table refuses it.
 */
const ENHANCERS = [
  [GUARDS_METADATA, 'a guard'],
  [INTERCEPTORS_METADATA, 'an interceptor'],
  [PIPES_METADATA, 'a pipe'],
  [EXCEPTION_FILTERS_METADATA, 'an exception filter'],
] as const;

const connectedSocket: ParameterSource = (socket) => socket;

/**
 * Reads the gateways' `@SubscribeMessage` handlers and their parameter decorators once, at start.
 * Supported: `@ConnectedSocket()` and the payload decorators made by `createPayloadDecorator`
 * (`@Payload(Dto)`, `@CustomEventPayload(Dto)`), or no parameter at all. Anything else throws here,
 * so that a gateway using another decorator fails the start instead of being called wrongly.
 */
export function buildHandlerTable(gateways: readonly object[]): HandlerTable {
  const table = new Map<string, EventHandler>();
  const scanner = new MetadataScanner();
  for (const gateway of gateways) {
    const prototype = Object.getPrototypeOf(gateway) as object;
    for (const methodName of scanner.getAllMethodNames(prototype)) {
      const method = (prototype as Record<string, unknown>)[methodName] as (
        ...args: unknown[]
      ) => unknown;
      if (Reflect.getMetadata(MESSAGE_MAPPING_METADATA, method) === undefined) continue;
      const event = String(Reflect.getMetadata(MESSAGE_METADATA, method));
      const where = `${gateway.constructor.name}.${methodName} ("${event}")`;
      if (table.has(event)) throw new Error(`${where}: another handler subscribes to this event`);
      refuseEnhancers(gateway.constructor, method, where);
      const sources = parameterSourcesOf(gateway.constructor, methodName, method.length, where);
      table.set(event, handlerOf(gateway, method, sources));
    }
  }
  return table;
}

function handlerOf(
  gateway: object,
  method: (...args: unknown[]) => unknown,
  sources: readonly ParameterSource[],
): EventHandler {
  return (socket, payload) => {
    const args: unknown[] = [];
    for (const source of sources) args.push(source(socket, payload));
    return method.apply(gateway, args);
  };
}

function refuseEnhancers(gatewayClass: object, method: object, where: string): void {
  for (const [key, what] of ENHANCERS) {
    const onClass = Reflect.getMetadata(key, gatewayClass) as unknown[] | undefined;
    const onMethod = Reflect.getMetadata(key, method) as unknown[] | undefined;
    if (onClass?.length || onMethod?.length) {
      throw new Error(`${where}: uses ${what}, which the gateways' handler table does not apply`);
    }
  }
}

/** One source per parameter, in order; every parameter must carry a supported decorator. */
function parameterSourcesOf(
  gatewayClass: object,
  methodName: string,
  parameterCount: number,
  where: string,
): ParameterSource[] {
  const metadata = (Reflect.getMetadata(PARAM_ARGS_METADATA, gatewayClass, methodName) ??
    {}) as Record<string, ParameterMetadata>;
  const sources = new Array<ParameterSource | undefined>(parameterCount).fill(undefined);
  for (const [key, parameter] of Object.entries(metadata)) {
    if (parameter.index >= parameterCount || sources[parameter.index]) {
      throw new Error(`${where}: parameter ${parameter.index} is not one the method declares once`);
    }
    if (parameter.pipes?.length) {
      throw new Error(`${where}: parameter ${parameter.index} has pipes, which are not applied`);
    }
    sources[parameter.index] = sourceOf(key, parameter, `${where}, parameter ${parameter.index}`);
  }
  return sources.map((source, index) => {
    if (!source) throw new Error(`${where}: parameter ${index} has no supported decorator`);
    return source;
  });
}

function sourceOf(key: string, parameter: ParameterMetadata, where: string): ParameterSource {
  // Nest's keys are `${paramtype}:${index}` for its own decorators and
  // `${uid}${CUSTOM_ROUTE_ARGS_METADATA}:${index}` for those made by createParamDecorator.
  if (key.includes(CUSTOM_ROUTE_ARGS_METADATA)) {
    const validate = payloadValidatorOf(parameter.factory);
    if (!validate) throw new Error(`${where}: a custom decorator that is not a payload decorator`);
    if (typeof parameter.data !== 'function') throw new Error(`${where}: a payload without a DTO`);
    const dto = parameter.data as ClassConstructor<object>;
    return (_socket, payload) => validate(dto, payload);
  }
  if (key.split(':')[0] === String(WsParamtype.SOCKET)) return connectedSocket;
  throw new Error(`${where}: a decorator the handler table does not support (${key})`);
}
