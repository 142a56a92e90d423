import { Global, Module } from '@nestjs/common';
import { ConnectHook } from './connect-hook.js';
import { HookClient } from './hook-client.js';
import { JoinHook } from './join-hook.js';
import { PublishHook } from './publish-hook.js';
import { RpcHook } from './rpc-hook.js';

const PROVIDERS = [HookClient, ConnectHook, JoinHook, PublishHook, RpcHook];

/**
 * Questions to the application's backend (docs/protocol.md, Hooks). Global: the features that ask
 * (auth, rooms, relay) reach it without importing each other's modules; with every hook URL unset
 * nothing here is ever called.
 */
@Global()
@Module({ providers: PROVIDERS, exports: PROVIDERS })
export class HooksModule {}
