import { Module } from '@nestjs/common';
import { SocketModule } from '../socket/socket.module.js';
import { LimitsGateway } from './limits.gateway.js';
import { SocketsPerUserService } from './sockets-per-user.service.js';

const PROVIDERS = [SocketsPerUserService, LimitsGateway];

/** The limits that act on connections: sockets per user and slow readers. */
@Module({ imports: [SocketModule], providers: PROVIDERS })
export class LimitsModule {}
