import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { AppError } from '../common/app-error.js';
import {
  publicKey,
  remoteKeySet,
  secretKey,
  type VerificationKey,
} from '../common/verification-keys.js';
import { AppConfig } from '../config/app-config.js';
import type { Identity } from '@switchboard/contract';
import { ConnectHook, type HandshakeFacts } from '../hooks/connect-hook.js';
import { GUEST_ID_PREFIX, guestName, namedUser } from './identity-rules.js';

/** The role that may notify everyone and enter every room. */
export const ADMIN_ROLE = 'admin';

/**
 * Whom the rooms that a socket brings into history count against (ROOMS_NEW_PER_HOUR): a user by
 * id, and a guest, who may connect again for a new id, by the client's address. Under the guests'
 * prefix, which no token's subject may carry, an address never meets a user's id.
 */
export function newRoomsCounterOf(user: Identity, clientAddress: string): string {
  return user.id.startsWith(GUEST_ID_PREFIX) ? `${GUEST_ID_PREFIX}${clientAddress}` : user.id;
}

/** A token's claims once a configured key has verified it: it names a subject. */
export type VerifiedClaims = JWTPayload & { sub: string };

/**
 * Who a handshake's `auth` object says the socket is: a JWT's subject, or a guest. A token is
 * accepted when one of the configured keys (the shared secret, the PEM public key, the remote
 * key set) verifies it, each with its own algorithms only.
 */
@Injectable()
export class Authenticator {
  private readonly keys: VerificationKey[];
  private readonly claimChecks: JWTVerifyOptions;

  constructor(
    private readonly config: AppConfig,
    private readonly connectHook: ConnectHook,
  ) {
    this.keys = [
      ...(config.jwtSecret === undefined ? [] : [secretKey(config.jwtSecret)]),
      ...(config.jwtPublicKey === undefined ? [] : [publicKey(config.jwtPublicKey)]),
      ...(config.jwksUrl === undefined
        ? []
        : [remoteKeySet(config.jwksUrl, config.jwksCooldownMs)]),
    ];
    // No clock tolerance: a socket lives until its token's `exp`, read by this server's clock.
    this.claimChecks = { issuer: config.jwtIssuer, audience: config.jwtAudience };
  }

  /**
   * Who a handshake is: its token's user; without a token, whom the connect hook names (when set
   * and `handshake` is given), else a guest when guests are allowed.
   */
  async authenticate(auth: unknown, handshake?: HandshakeFacts): Promise<Identity> {
    const credentials =
      typeof auth === 'object' && auth !== null ? (auth as Record<string, unknown>) : {};
    if (credentials.token !== undefined) {
      return this.identityOf(credentials.token);
    }
    if (handshake !== undefined && this.connectHook.enabled) {
      return this.identityFromHook(credentials, handshake);
    }
    return this.guest(credentials);
  }

  /** The user the connect hook names, through the same rules as a token's subject. */
  private async identityFromHook(
    credentials: Record<string, unknown>,
    handshake: HandshakeFacts,
  ): Promise<Identity> {
    const verdict = await this.connectHook.identify(credentials, handshake);
    if (verdict.kind === 'guest') return this.guest(credentials);
    if (verdict.expiresAt !== undefined && verdict.expiresAt <= Date.now()) {
      throw new AppError('UNAUTHORIZED', 'the identity that the application gave has expired');
    }
    return {
      ...namedUser(verdict.id, verdict.name),
      roles: verdict.roles,
      rooms: verdict.rooms,
      ...(verdict.expiresAt === undefined ? {} : { expiresAt: verdict.expiresAt }),
    };
  }

  private guest(credentials: Record<string, unknown>): Identity {
    if (!this.config.allowGuests) {
      throw new AppError('UNAUTHORIZED', 'a token is required');
    }
    return {
      id: `${GUEST_ID_PREFIX}${randomUUID()}`,
      name: guestName(credentials.name),
      roles: [],
    };
  }

  /**
   * The identity that a connection token names (at the handshake, or in `session:refresh`). A room
   * token is refused: it lets its user into one room, and a leaked one must not log anybody in.
   */
  async identityOf(token: unknown): Promise<Identity> {
    const claims = await this.verify(token);
    if (claims.room !== undefined) {
      throw new AppError('UNAUTHORIZED', 'a room token is not a connection token');
    }
    return {
      ...namedUser(claims.sub, claims.name),
      roles: stringsOf(claims.roles),
      rooms: stringsOf(claims.rooms),
      ...(claims.exp === undefined ? {} : { expiresAt: claims.exp * 1000 }),
    };
  }

  /** The claims of a token that a configured key verifies; UNAUTHORIZED for any other token. */
  async verify(token: unknown): Promise<VerifiedClaims> {
    if (typeof token !== 'string') {
      throw new AppError('UNAUTHORIZED', 'the token is not accepted');
    }
    for (const { key, algorithms } of this.keys) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, key, { ...this.claimChecks, algorithms }));
      } catch {
        continue; // another key may verify it
      }
      return withSubject(payload);
    }
    throw new AppError(
      'UNAUTHORIZED',
      'the token is expired, badly signed or for another audience',
    );
  }
}

function withSubject(payload: JWTPayload): VerifiedClaims {
  const { sub } = payload;
  if (typeof sub !== 'string' || sub.length === 0) {
    throw new AppError('UNAUTHORIZED', 'the token has no subject');
  }
  return { ...payload, sub };
}

function stringsOf(claim: unknown): string[] {
  return Array.isArray(claim) ? claim.filter((item) => typeof item === 'string') : [];
}
