import { Parser } from '@asyncapi/parser';
import { get } from './support/http.js';
import { useServer } from './support/server.js';

describe('GET /asyncapi.json', () => {
  // With a key set, so that the document is shown to be served without one.
  const server = useServer({ API_KEY: 'a-test-api-key-of-some-length' });

  it('is JSON, served without a key', async () => {
    const response = await get(server.url, '/asyncapi.json');
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/^application\/json/);
  });

  it('is a valid AsyncAPI 3 document', async () => {
    const { body } = await get(server.url, '/asyncapi.json');
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(body));
    // Spectral's severity 0 is an error; warnings and hints (such as "3.1.0 exists") are advice.
    const errors = diagnostics.filter(({ severity }) => Number(severity) === 0);
    expect(errors).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
  });
});
