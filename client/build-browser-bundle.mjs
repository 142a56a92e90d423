// The browser bundle served at /client/switchboard.js: the library and socket.io-client in one ES
// module, so that a page (the console at / among them) imports it without a build step or a CDN.
import { join } from 'node:path';
import { build } from 'esbuild';

await build({
  entryPoints: [join(import.meta.dirname, 'src', 'index.ts')],
  outfile: join(import.meta.dirname, 'dist', 'browser', 'switchboard.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
});
