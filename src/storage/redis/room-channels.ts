import { decode, encode } from '@msgpack/msgpack';
import type { BroadcastFlags, BroadcastOptions } from 'socket.io-adapter';

/** The Socket.IO namespace that every event of the contract travels in. */
export const MAIN_NAMESPACE = '/';

/**
 * The names of a deployment's pub/sub channels (Redis sharded pub/sub, SPUBLISH and SSUBSCRIBE):
 * one channel per Socket.IO room, which only the nodes with a socket in that room subscribe to,
 * and one that every node subscribes to, for the rest (broadcasts to everyone or to several rooms,
 * socket ids, and the cluster's own requests). A Socket.IO room's name is the channel's tail, so
 * a chat room's hash tag (`room:{lobby}`) puts its channel in the slot of the room's keys.
 */
export class RoomChannels {
  /** Every node's channel; a room's channel and a node's reply channel extend it. */
  readonly main: string;

  constructor(prefix: string) {
    this.main = `${prefix}socket.io#${MAIN_NAMESPACE}#`;
  }

  ofRoom(room: string): string {
    return `${this.main}${room}#`;
  }

  /** Where a broadcast to `rooms` goes: the room's channel for one named room, else every node's. */
  of(rooms: readonly string[]): string {
    return rooms.length === 1 && isNamedRoom(rooms[0]) ? this.ofRoom(rooms[0]) : this.main;
  }

  /** Where the answers to a node's requests (counting sockets, server-side emits) go. */
  ofNode(uid: string): string {
    return `${this.main}${uid}#`;
  }
}

/**
 * Whether a Socket.IO room has a channel of its own. Named rooms (a chat room's `room:{…}`, a
 * user's `user:…`) hold a `:`, socket ids never do: a publisher tells them apart by the name alone.
 */
export function isNamedRoom(room: string): boolean {
  return room.includes(':');
}

/** A cluster message as the channels carry it: JSON, or MessagePack when it holds binary data. */
export function encodeMessage(message: unknown): string | Buffer {
  return hasBinary(message) ? Buffer.from(encode(message)) : JSON.stringify(message);
}

/** JSON starts with `{`; a MessagePack map never does. */
export function decodeMessage(raw: Buffer): unknown {
  return raw[0] === 0x7b ? JSON.parse(raw.toString()) : decode(raw);
}

/** Broadcast options as a cluster message carries them (sets as lists). */
export interface EncodedOptions {
  rooms: string[];
  except: string[];
  flags: BroadcastFlags;
}

export function encodeOptions(opts: BroadcastOptions): EncodedOptions {
  return { rooms: [...opts.rooms], except: [...(opts.except ?? [])], flags: opts.flags ?? {} };
}

export function decodeOptions(opts: EncodedOptions): BroadcastOptions {
  return { rooms: new Set(opts.rooms), except: new Set(opts.except), flags: opts.flags };
}

function hasBinary(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return true;
  if (Array.isArray(value)) return value.some(hasBinary);
  return Object.values(value).some(hasBinary);
}
