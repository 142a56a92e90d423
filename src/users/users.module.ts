import { Module } from '@nestjs/common';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

/** What other backends do to a user as a whole, on every node. */
@Module({ controllers: [UsersController], providers: [UsersService] })
export class UsersModule {}
