// Switchboard as built in dist/, started the way src/main.ts starts it (same config loading,
// same logger, same createApplication) but on 127.0.0.1 and a port the kernel picks, plus the
// benchmark's stats endpoint on a port of its own. Nothing is added to the application itself.
import 'reflect-metadata';
import { createApplication } from '../dist/bootstrap.js';
import { loadConfig } from '../dist/config/app-config.js';
import { createLogger } from '../dist/logging/logger.js';
import { announceReady, benchEnvironment } from './support/server-harness.mjs';

const config = loadConfig(benchEnvironment());
const logger = createLogger(config.logLevel);
const app = await createApplication(config, logger);
await app.listen(0, '127.0.0.1');
await announceReady(app.getHttpServer().address().port);
