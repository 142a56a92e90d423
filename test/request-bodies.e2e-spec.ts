import { HTTP_JSON_BODY_LIMIT } from '../src/bootstrap.js';
import { bearer } from './support/http.js';
import { useServer } from './support/server.js';

const API_KEY = 'a-test-api-key-of-some-length';

/** Comfortably over HTTP_JSON_BODY_LIMIT (64 KB). */
const OVERSIZED_BYTES = 200 * 1024;

interface ExpressRouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** A JSON text of `bytes` bytes, valid, so that only its size can be what is refused. */
function jsonOf(bytes: number): string {
  const wrapper = '{"target":{"all":true},"title":"t","body":"b","data":{"blob":""}}';
  return wrapper.replace('"blob":""', `"blob":"${'x'.repeat(bytes - wrapper.length)}"`);
}

/** The same body in 1 KB chunks, without a Content-Length: the parser must count what it reads. */
function streamOf(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + 1024));
      offset += 1024;
    },
  });
}

describe(`request bodies over ${HTTP_JSON_BODY_LIMIT}`, () => {
  const server = useServer({ NOTIFY_API_KEY: API_KEY });

  /** Every POST route the application has, read from Express's router: a new one is covered too. */
  function postRoutes(): string[] {
    const router = (
      server.app.getHttpAdapter().getInstance() as { router: { stack: ExpressRouteLayer[] } }
    ).router;
    return router.stack.flatMap((layer) => (layer.route?.methods.post ? [layer.route.path] : []));
  }

  it('are looked for on at least the notifications API', () => {
    expect(postRoutes()).toContain('/api/notifications');
  });

  it.each([
    ['with a Content-Length', (text: string) => ({ body: text })],
    ['streamed without a Content-Length', (text: string) => ({ body: streamOf(text) })],
  ])('are refused %s on every POST route: 413 PAYLOAD_TOO_LARGE', async (_how, bodyOf) => {
    for (const path of postRoutes()) {
      const response = await fetch(new URL(path, server.url), {
        method: 'POST',
        headers: { authorization: bearer(API_KEY), 'content-type': 'application/json' },
        duplex: 'half',
        ...bodyOf(jsonOf(OVERSIZED_BYTES)),
      });

      expect({ path, status: response.status }).toEqual({ path, status: 413 });
      expect(await response.json()).toEqual({
        code: 'PAYLOAD_TOO_LARGE',
        message: expect.any(String),
      });
    }
  });
});
