import { Module } from '@nestjs/common';
import { RoomsModule } from '../rooms/rooms.module.js';
import { RelayController } from './relay.controller.js';
import { RelayGateway } from './relay.gateway.js';
import { RelayService } from './relay.service.js';
import { RpcGateway } from './rpc.gateway.js';

const PROVIDERS = [RelayService, RelayGateway, RpcGateway];

/**
 * Custom events relayed to a room or a user, from sockets and from the server API, and `rpc`
 * requests answered by the application's backend.
 */
@Module({ imports: [RoomsModule], controllers: [RelayController], providers: PROVIDERS })
export class RelayModule {}
