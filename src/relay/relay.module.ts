import { Module } from '@nestjs/common';
import { RoomsModule } from '../rooms/rooms.module.js';
import { RelayController } from './relay.controller.js';
import { RelayGateway } from './relay.gateway.js';
import { RelayService } from './relay.service.js';

const PROVIDERS = [RelayService, RelayGateway];

/** Custom events relayed to a room or a user, from sockets and from the server API. */
@Module({ imports: [RoomsModule], controllers: [RelayController], providers: PROVIDERS })
export class RelayModule {}
