import { Module } from '@nestjs/common';
import { Authenticator } from './authenticator.js';
import { RoomGrants } from './room-grants.js';
import { SessionGateway } from './session.gateway.js';
import { SessionLifetime } from './session-lifetime.js';

const PROVIDERS = [Authenticator, RoomGrants, SessionLifetime, SessionGateway];

/** Who a socket is (the handshake's identity), what it may join, and how long its token lasts. */
@Module({ providers: PROVIDERS, exports: [Authenticator, RoomGrants] })
export class AuthModule {}
