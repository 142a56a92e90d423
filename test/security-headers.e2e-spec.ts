import { bearer, get, type HttpReply } from './support/http.js';
import { useServer } from './support/server.js';

const API_KEY = 'a-test-api-key-of-some-length';

/** The directives of a Content-Security-Policy header, each with its list of sources. */
function directivesOf(policy: string | null): Map<string, string[]> {
  return new Map(
    (policy ?? '')
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name.toLowerCase(), sources]),
  );
}

/** The value of `attribute` in each tag named `tag` of an HTML text (our own page, not any HTML). */
function attributesOf(html: string, tag: string, attribute: string): (string | undefined)[] {
  return [...html.matchAll(new RegExp(`<${tag}\\b([^>]*)>`, 'gi'))].map(
    ([, attributes]) =>
      new RegExp(`\\b${attribute}\\s*=\\s*"([^"]*)"`, 'i').exec(attributes ?? '')?.[1],
  );
}

function isSameOriginPath(url: string | undefined): url is string {
  return url !== undefined && url.startsWith('/') && !url.startsWith('//');
}

function post(url: string, path: string): Promise<HttpReply> {
  return fetch(new URL(path, url), { method: 'POST' }).then(async (response) => ({
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    headers: response.headers,
    body: await response.text(),
  }));
}

describe('HTTP security headers', () => {
  const server = useServer({ NOTIFY_API_KEY: API_KEY });

  const answers: [string, () => Promise<HttpReply>][] = [
    ['the built-in page', () => get(server.url, '/')],
    ['the health check', () => get(server.url, '/health')],
    ['the metrics', () => get(server.url, '/metrics')],
    ['the AsyncAPI document', () => get(server.url, '/asyncapi.json')],
    ['an API refusal (401)', () => post(server.url, '/api/notifications')],
    ['an unknown route (404)', () => get(server.url, '/no/such/route')],
  ];

  it.each(answers)('are on %s', async (_what, answer) => {
    const { headers } = await answer();

    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('x-frame-options')).toBe('DENY');
    expect(headers.has('x-powered-by')).toBe(false);
    const policy = directivesOf(headers.get('content-security-policy'));
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('default-src')).toEqual(["'self'"]);
  });

  it('let the Socket.IO client bundle be served as before', async () => {
    const bundle = await get<string>(server.url, '/socket.io/socket.io.js');
    expect(bundle.status).toBe(200);
    expect(bundle.contentType).toMatch(/javascript/);
  });

  describe('the built-in page under its content security policy', () => {
    it('allows scripts and styles from this origin only, none inline', async () => {
      const page = await get<string>(server.url, '/');
      const policy = directivesOf(page.headers.get('content-security-policy'));

      expect(policy.get('script-src')).toEqual(["'self'"]);
      expect(policy.get('script-src-attr')).toEqual(["'none'"]);
      expect(policy.get('style-src')).toEqual(["'self'"]);
      expect(policy.get('connect-src')).toEqual(["'self'"]);
    });

    it('loads only same-origin scripts and stylesheets, which are served', async () => {
      const page = await get<string>(server.url, '/');
      const scripts = attributesOf(page.body, 'script', 'src');
      const stylesheets = attributesOf(page.body, 'link', 'href');

      expect(scripts).toEqual(['/app.js']);
      expect(stylesheets).toEqual(['/app.css']);
      for (const [path, type] of [
        ...scripts.filter(isSameOriginPath).map((path) => [path, /javascript/] as const),
        ...stylesheets.filter(isSameOriginPath).map((path) => [path, /^text\/css/] as const),
      ]) {
        const file = await get<string>(server.url, path);
        expect({ path, status: file.status }).toEqual({ path, status: 200 });
        expect(file.contentType).toMatch(type);
      }
    });

    it('imports only same-origin modules, which are served as JavaScript', async () => {
      const modules = new Set<string>();
      const pending = ['/app.js'];
      for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
        if (modules.has(path)) continue;
        modules.add(path);
        const file = await get<string>(server.url, path);
        expect({ path, status: file.status }).toEqual({ path, status: 200 });
        expect(file.contentType).toMatch(/javascript/);
        if (path.startsWith('/client/')) continue; // the library's bundle imports nothing
        for (const [, imported] of file.body.matchAll(/^import\b[^;]*?from '([^']+)';/gms)) {
          expect({ imported, sameOrigin: /^\.{0,2}\/(?!\/)/.test(imported) }).toEqual({
            imported,
            sameOrigin: true,
          });
          pending.push(new URL(imported, new URL(path, server.url)).pathname);
        }
      }
      expect(modules).toContain('/client/switchboard.js');
    });

    it('holds no inline script, style or event handler that the policy would block', async () => {
      const { body } = await get<string>(server.url, '/');

      expect(attributesOf(body, 'script', 'src')).not.toContain(undefined);
      expect(body).not.toMatch(/<style\b/i);
      expect(body).not.toMatch(/\sstyle\s*=/i);
      expect(body).not.toMatch(/\son[a-z]+\s*=/i);
      expect(body).not.toMatch(/javascript:/i);
    });
  });
});

describe('HTTP security headers with CORS_ORIGINS listed', () => {
  const origin = 'https://app.example';
  const server = useServer({ NOTIFY_API_KEY: API_KEY, CORS_ORIGINS: origin });

  it('leave the long-polling handshake of Socket.IO answering the listed origin', async () => {
    const response = await get<string>(server.url, '/socket.io/?EIO=4&transport=polling', {
      origin,
    });

    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    expect(response.body).toMatch(/"sid"/);
  });

  it('leave the API answering an allowed call', async () => {
    const response = await fetch(new URL('/api/notifications', server.url), {
      method: 'POST',
      headers: { origin, authorization: bearer(API_KEY), 'content-type': 'application/json' },
      body: JSON.stringify({ target: { all: true }, title: 'Hello', body: 'everyone' }),
    });

    expect(response.status).toBe(202);
    expect(response.headers.get('access-control-allow-origin')).toBe(origin);
  });
});
