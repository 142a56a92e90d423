import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { layers } from '../eslint.layers.js';

/** Lints `code` as if it were the file `path`, with only the layer rules. */
async function problemsOf(path: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: process.cwd(),
    overrideConfigFile: true,
    overrideConfig: [
      { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } },
      ...layers,
    ],
  });
  const [result] = await eslint.lintText(code, { filePath: path });
  return result.messages.map((message) => message.message);
}

describe('the layers, as npm run lint checks them', () => {
  it.each([
    ['contract/src/planted.ts', "import { AppConfig } from '../../src/config/app-config.js';"],
    ['contract/src/asyncapi/planted.ts', "import { IsString } from 'class-validator';"],
    [
      'src/storage/redis/planted.ts',
      "import { RoomsService } from '../../rooms/rooms.service.js';",
    ],
    ['src/config/planted.ts', "import { Authenticator } from '../auth/authenticator.js';"],
    ['src/rooms/planted.service.ts', "import type { Server } from 'socket.io';"],
    ['src/relay/planted.service.ts', "import { ChatGateway } from '../rooms/chat.gateway.js';"],
    ['src/notifications/planted.ts', "import { Emitter } from '@socket.io/component-emitter';"],
  ])('refuse in %s: %s', async (path, code) => {
    expect(await problemsOf(path, code)).toEqual([expect.any(String)]);
  });

  it.each([
    ['contract/src/asyncapi/planted.ts', "import { ROOM_NAME } from '../names.js';"],
    ['src/storage/planted.ts', "import type { Logger } from '../logging/logger.js';"],
    ['src/rooms/planted.gateway.ts', "import type { Server } from 'socket.io';"],
    ['src/realtime/planted.ts', "import type { Server } from 'socket.io';"],
    ['src/rooms/planted.service.ts', "import { Delivery } from '../realtime/delivery.js';"],
  ])('allow in %s: %s', async (path, code) => {
    expect(await problemsOf(path, code)).toEqual([]);
  });
});
