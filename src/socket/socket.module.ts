import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { EventDispatcher } from './event-dispatcher.js';
import { HandshakeAdmission } from './handshake-admission.js';
import { SlowReaderSweeper } from './slow-reader-sweeper.js';

// DiscoveryModule: the EventDispatcher finds the gateways, in whichever feature module they sit.
const PROVIDERS = [EventDispatcher, HandshakeAdmission, SlowReaderSweeper];

/** The socket runtime: it dispatches to the features' gateways and knows none of them by name. */
@Module({ imports: [DiscoveryModule], providers: PROVIDERS, exports: PROVIDERS })
export class SocketModule {}
