import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { ClientSocket, SwitchboardServer } from '../common/client-socket.js';
import { AppConfig } from '../config/app-config.js';
import { APP_LOGGER, type Logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { dropConnection, outgoingBytes } from '../realtime/outgoing-buffer.js';

/**
 * How often every socket's outgoing backlog is looked at. Watching it per packet (engine.io's
 * `packetCreate`) would cost every event for every recipient; its `flush` and `drain` events do
 * not fire while a slow reader's backlog grows. A sweep costs nothing per event and, for 10 000
 * sockets, well under a millisecond (a normal socket's backlog is empty). Between two sweeps a
 * backlog may pass MAX_BUFFERED_BYTES by what the socket is sent in that time.
 */
export const SLOW_READER_SWEEP_MS = 250;

/**
 * Closes the connection of a client that does not read what it is sent (docs/protocol.md "Limits",
 * MAX_BUFFERED_BYTES), so that its backlog cannot grow the server's memory without bound. No
 * `session:ended`: it would wait behind the backlog that the client does not read.
 */
@Injectable()
export class SlowReaderSweeper implements OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  start(server: SwitchboardServer): void {
    this.timer = setInterval(() => this.sweep(server), SLOW_READER_SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private sweep(server: SwitchboardServer): void {
    const limit = this.config.maxBufferedBytes;
    for (const socket of server.sockets.sockets.values() as Iterable<ClientSocket>) {
      const bytes = outgoingBytes(socket, limit);
      if (bytes <= limit) continue;
      this.logger.info(
        { socketId: socket.id, userId: socket.data.user?.id, bufferedBytes: bytes },
        'closing a slow reader',
      );
      this.metrics.slowReaderClosed();
      this.metrics.endingSession(socket, 'slow_reader');
      dropConnection(socket);
    }
  }
}
