import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Idempotent } from '../api/idempotency.interceptor.js';
import { ApiPostErrors, ServerApiController } from '../api/server-api.decorators.js';
import { DisconnectedDto, DisconnectUserDto, UserIdDto } from './users.dto.js';
import { UsersService } from './users.service.js';

/** Users for other backends. */
@ApiTags('users')
@ServerApiController()
@Controller('api/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post(':userId/disconnect')
  @HttpCode(200)
  @Idempotent()
  @ApiOkResponse({
    type: DisconnectedDto,
    description: 'every socket of the user got session:ended { reason: "kicked" } and is gone',
  })
  @ApiPostErrors('a bad body or user id')
  disconnect(@Param() { userId }: UserIdDto, @Body() { reason }: DisconnectUserDto) {
    return this.users.disconnect(userId, reason);
  }
}
