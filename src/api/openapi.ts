import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { API_PATH, OPENAPI_DOCUMENT_PATH } from './api-key.gate.js';
import { HOOK_SCHEMAS } from './hook-schemas.js';
import { API_KEY_SCHEME } from './server-api.decorators.js';

/**
 * The OpenAPI 3 document of the server API, generated from its controllers and DTOs (never
 * written by hand, so that it cannot drift from them). Only the routes under API_PATH: health
 * and metrics are for operators, not for other backends.
 */
export function openApiDocument(app: NestExpressApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Switchboard server API')
    .setDescription(
      'What other backends do with Switchboard over HTTP: see "The server API, for other backends" in docs/protocol.md.',
    )
    .setVersion('1')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description: 'API_KEY (or NOTIFY_API_KEY, its older name)',
      },
      API_KEY_SCHEME,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.paths = Object.fromEntries(
    Object.entries(document.paths).filter(([path]) => path.startsWith(`${API_PATH}/`)),
  );
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...HOOK_SCHEMAS },
  };
  return document;
}

/** Serves the document at GET /api/openapi.json, which `apiKeyGate` lets through without a key. */
export function serveOpenApiDocument(app: NestExpressApplication): void {
  const document = openApiDocument(app);
  app
    .getHttpAdapter()
    .getInstance()
    .get(`${API_PATH}${OPENAPI_DOCUMENT_PATH}`, (_request, response) => {
      response.json(document);
    });
}
