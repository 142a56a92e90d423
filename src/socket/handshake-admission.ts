import { Injectable } from '@nestjs/common';
import type { ClientSocket } from '../common/client-socket.js';
import { clientAddress } from '../common/client-address.js';
import { AppConfig } from '../config/app-config.js';
import { HandshakeLimiter } from '../limits/handshake-limiter.js';
import { MetricsService } from '../metrics/metrics.service.js';

/** Built once: refusing a handshake flood must not cost more than the handshake did. */
const RATE_LIMITED = Object.freeze(
  Object.assign(new Error('rate_limited'), { data: Object.freeze({ code: 'RATE_LIMITED' }) }),
);

/**
 * HANDSHAKE_RATE_PER_IP as a Socket.IO middleware, so that a refusal reaches the client as
 * `connect_error` with the contract's message and data (engine.io's `allowRequest` could only
 * answer with an HTTP error). Installed before every gateway's middleware: before a token is
 * verified.
 */
@Injectable()
export class HandshakeAdmission {
  private readonly limiter: HandshakeLimiter;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    this.limiter = new HandshakeLimiter(config.handshakeRatePerIp);
  }

  readonly middleware = (socket: ClientSocket, next: (error?: Error) => void): void => {
    const { address, headers } = socket.handshake;
    const client = clientAddress(address, headers['x-forwarded-for'], this.config.trustProxy);
    if (this.limiter.tryAdmit(client)) {
      socket.data.clientAddress = client;
      return next();
    }
    this.metrics.handshakeRefused('rate_limited');
    next(RATE_LIMITED);
  };
}
