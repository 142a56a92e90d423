import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { ChatGateway } from './chat.gateway.js';
import { ChatService } from './chat.service.js';
import { ModeratedMessages } from './moderated-messages.js';
import { PresenceKeeper } from './presence-keeper.js';
import { RoomsController } from './rooms.controller.js';
import { RoomsGateway } from './rooms.gateway.js';
import { RoomsService } from './rooms.service.js';

const PROVIDERS = [
  RoomsService,
  PresenceKeeper,
  ChatService,
  ModeratedMessages,
  RoomsGateway,
  ChatGateway,
];

/** Rooms and their chat: membership, presence, history, over sockets and the server API. */
@Module({
  imports: [AuthModule],
  controllers: [RoomsController],
  providers: PROVIDERS,
  exports: [RoomsService, PresenceKeeper],
})
export class RoomsModule {}
