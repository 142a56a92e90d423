import { validate, compileErrors } from '@readme/openapi-parser';
import { get } from './support/http.js';
import { useServer } from './support/server.js';

interface ExpressRouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

describe('GET /api/openapi.json', () => {
  const server = useServer({ API_KEY: 'a-test-api-key-of-some-length' });

  it('is a valid OpenAPI 3 document, served without a key', async () => {
    const response = await get<Record<string, unknown>>(server.url, '/api/openapi.json');
    expect(response.status).toBe(200);
    const result = await validate(structuredClone(response.body) as never);
    if (!result.valid) throw new Error(compileErrors(result));
    expect(response.body).toMatchObject({ openapi: expect.stringMatching(/^3\./) });
  });

  it("documents what the hooks ask the application's backend and what it may answer", async () => {
    const { body } = await get<{ components: { schemas: Record<string, unknown> } }>(
      server.url,
      '/api/openapi.json',
    );
    for (const hook of ['Connect', 'Join', 'Publish', 'Rpc']) {
      expect(body.components.schemas).toHaveProperty(`Hook${hook}Request`);
      expect(body.components.schemas).toHaveProperty(`Hook${hook}Answer`);
    }
  });

  it('holds every route of the server API', async () => {
    const { body } = await get<{ paths: Record<string, Record<string, unknown>> }>(
      server.url,
      '/api/openapi.json',
    );
    const stack = (
      server.app.getHttpAdapter().getInstance() as { router: { stack: ExpressRouteLayer[] } }
    ).router.stack;
    const routes = stack.flatMap(({ route }) =>
      route !== undefined && route.path.startsWith('/api/') && route.path !== '/api/openapi.json'
        ? Object.keys(route.methods).map((method) => [
            method,
            route.path.replace(/:(\w+)/g, '{$1}'),
          ])
        : [],
    );
    expect(routes.length).toBeGreaterThanOrEqual(6);
    for (const [method, path] of routes) {
      expect({ method, path, documented: body.paths[path]?.[method] !== undefined }).toEqual({
        method,
        path,
        documented: true,
      });
    }
  });
});
