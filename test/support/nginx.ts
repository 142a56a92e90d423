import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { binaryAvailable, describeNeeding } from './needs-binary.js';
import { freePort } from './redis-server.js';

/**
 * Debian's nginx in front of test nodes, running the repository's own site file
 * (deploy/nginx/switchboard.conf) with only its upstream servers and listen port replaced.
 * Locally, without the binary, the tests that need it are skipped with a loud warning; with
 * `CI=true` they fail instead.
 */

const NGINX_BINARY = '/usr/sbin/nginx';
const SITE_FILE = join(import.meta.dirname, '..', '..', 'deploy', 'nginx', 'switchboard.conf');
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

const nginx = {
  available: binaryAvailable(NGINX_BINARY, '-v'),
  name: NGINX_BINARY,
  install: 'apt-get install nginx',
};

/** `describe` when nginx is installed (always under CI); see `describeNeeding`. */
export function describeWithNginx(name: string, body: () => void): void {
  describeNeeding(nginx, name, body);
}

/** The lines of one directive that names an address: the directive, the address, the rest. */
function linesOf(directive: 'server' | 'listen'): RegExp {
  return new RegExp(`^([ \\t]*${directive}[ \\t]+)[^\\s;]+([^;\\n]*;)$`, 'gm');
}

/**
 * The site file with its `upstream switchboard` servers pointed at `upstreams` (host:port, in
 * order) and its one `listen` at `listen`. Throws when the file no longer has that shape, rather
 * than test something other than what is shipped.
 */
export function siteConfigFor(upstreams: readonly string[], listen: string): string {
  const site = readFileSync(SITE_FILE, 'utf8');
  const block = /^upstream switchboard \{[^}]*\}/m.exec(site)?.[0] ?? '';
  const servers = block.match(linesOf('server')) ?? [];
  const listens = site.match(linesOf('listen')) ?? [];
  if (servers.length !== upstreams.length || listens.length !== 1) {
    throw new Error(
      `${SITE_FILE}: expected ${upstreams.length} server lines in "upstream switchboard" and one ` +
        `listen line, found ${servers.length} and ${listens.length}`,
    );
  }
  const addresses = [...upstreams];
  const pointed = block.replace(
    linesOf('server'),
    (_, start: string, rest: string) => `${start}${addresses.shift()}${rest}`,
  );
  return site
    .replace(block, () => pointed)
    .replace(linesOf('listen'), (_, start: string, rest: string) => `${start}${listen}${rest}`);
}

/** The main configuration around the site file: everything nginx writes stays in `dir`. */
function mainConfig(dir: string, site: string): string {
  // One process (no master and workers), so that stopping or killing it leaves nothing behind.
  return `daemon off;
master_process off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events {}
http {
    access_log off;
    client_body_temp_path ${join(dir, 'client_body')};
    proxy_temp_path ${join(dir, 'proxy')};
    fastcgi_temp_path ${join(dir, 'fastcgi')};
    uwsgi_temp_path ${join(dir, 'uwsgi')};
    scgi_temp_path ${join(dir, 'scgi')};
    include ${site};
}
`;
}

export class Nginx {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {}

  /**
   * Starts nginx on `port` (a free loopback port unless told: nodes that must know the proxy's URL
   * beforehand, as their PUBLIC_URL, give one) and resolves once it answers `GET /health`.
   */
  static async start(upstreams: readonly string[], port?: number): Promise<Nginx> {
    port ??= await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-nginx-'));
    const site = join(dir, 'switchboard.conf');
    writeFileSync(site, siteConfigFor(upstreams, `127.0.0.1:${port}`));
    writeFileSync(join(dir, 'nginx.conf'), mainConfig(dir, site));
    const args = ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')];
    const child = spawn(NGINX_BINARY, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    // Should a test file end without stopping it (a failing afterAll), the Jest worker's exit
    // still takes nginx down.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    const nginx = new Nginx(port, child, dir);
    try {
      await nginx.answering();
    } catch (error) {
      await nginx.stop();
      throw error;
    }
    return nginx;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private async answering(): Promise<void> {
    let stderr = '';
    let spawnError: Error | undefined;
    this.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    this.child.once('error', (error) => (spawnError = error));
    const problem = () => `${stderr}${this.errorLog()}`.trim();
    const deadline = Date.now() + START_TIMEOUT_MS;
    let lastError: unknown;
    while (Date.now() < deadline) {
      if (spawnError) throw new Error(`${NGINX_BINARY} did not start: ${spawnError.message}`);
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`nginx exited at start: ${problem()}`);
      }
      try {
        const response = await fetch(`${this.url}/health`);
        await response.arrayBuffer();
        if (response.ok) return;
        lastError = `GET /health answered ${response.status}`;
      } catch (error) {
        lastError = error;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error(
      `nginx did not answer within ${START_TIMEOUT_MS} ms (${String(lastError)}): ${problem()}`,
    );
  }

  private errorLog(): string {
    try {
      return readFileSync(join(this.dir, 'error.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** Stops nginx (SIGTERM, then SIGKILL past a bound) and removes its directory. */
  async stop(): Promise<void> {
    const child = this.child;
    const running = child.pid !== undefined && child.exitCode === null && child.signalCode === null;
    if (running) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `host:port` of a server URL, as an nginx `server` line names it. */
export function upstreamOf(url: string): string {
  return new URL(url).host;
}

/** What one request that reached a node looked like. */
export interface ArrivedRequest {
  url: URL;
  headers: IncomingHttpHeaders;
}

/**
 * Every HTTP request and WebSocket handshake that reaches the node from now on. Listening beside
 * the node's own handlers changes nothing for them.
 */
export function requestsTo(app: NestExpressApplication): ArrivedRequest[] {
  const arrived: ArrivedRequest[] = [];
  const server = app.getHttpServer();
  const record = (request: IncomingMessage) =>
    arrived.push({ url: new URL(request.url ?? '/', 'http://node'), headers: request.headers });
  server.on('request', record);
  server.on('upgrade', record);
  return arrived;
}
