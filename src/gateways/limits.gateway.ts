import { type OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Server } from 'socket.io';
import { SlowReaderSweeper } from './slow-reader-sweeper.js';

/** The limits of PROTOCOL "Limits" that act on connections rather than on events. */
@WebSocketGateway()
export class LimitsGateway implements OnGatewayInit {
  constructor(private readonly slowReaders: SlowReaderSweeper) {}

  afterInit(server: Server): void {
    this.slowReaders.start(server);
  }
}
