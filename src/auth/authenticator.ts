import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { jwtVerify } from 'jose';
import { AppError } from '../common/app-error.js';
import { AppConfig } from '../config/app-config.js';
import type { Identity } from '../contract/types.js';

const GUEST_NAME_MAX = 32;
const ANONYMOUS = 'Anonymous';

/** Who a handshake's `auth` object says the socket is: a JWT's subject, or a guest. */
@Injectable()
export class Authenticator {
  private readonly secret: Uint8Array | undefined;

  constructor(private readonly config: AppConfig) {
    this.secret =
      config.jwtSecret === undefined ? undefined : new TextEncoder().encode(config.jwtSecret);
  }

  async authenticate(auth: unknown): Promise<Identity> {
    const credentials =
      typeof auth === 'object' && auth !== null ? (auth as Record<string, unknown>) : {};
    if (credentials.token !== undefined) {
      return this.verifyToken(credentials.token);
    }
    if (!this.config.allowGuests) {
      throw new AppError('UNAUTHORIZED', 'a token is required');
    }
    return { id: `guest:${randomUUID()}`, name: guestName(credentials.name), roles: [] };
  }

  private async verifyToken(token: unknown): Promise<Identity> {
    if (typeof token !== 'string' || this.secret === undefined) {
      throw new AppError('UNAUTHORIZED', 'the token is not accepted');
    }
    try {
      // Only HS256: a token that names another algorithm, `none` included, is refused.
      const { payload } = await jwtVerify(token, this.secret, { algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || payload.sub.length === 0) {
        throw new AppError('UNAUTHORIZED', 'the token has no subject');
      }
      const name =
        typeof payload.name === 'string' && payload.name.trim() ? payload.name.trim() : payload.sub;
      const roles = Array.isArray(payload.roles)
        ? payload.roles.filter((role) => typeof role === 'string')
        : [];
      return { id: payload.sub, name, roles };
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError('UNAUTHORIZED', 'the token is expired or badly signed');
    }
  }
}

function guestName(name: unknown): string {
  if (name === undefined || name === null) return ANONYMOUS;
  if (typeof name !== 'string')
    throw new AppError('UNAUTHORIZED', 'the guest name must be a string');
  const trimmed = name.trim();
  if (trimmed.length === 0) return ANONYMOUS;
  if ([...trimmed].length > GUEST_NAME_MAX) {
    throw new AppError(
      'UNAUTHORIZED',
      `the guest name must be at most ${GUEST_NAME_MAX} characters`,
    );
  }
  return trimmed;
}
