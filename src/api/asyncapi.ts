import type { NestExpressApplication } from '@nestjs/platform-express';
import { asyncApiDocument } from '@switchboard/contract/asyncapi';

export const ASYNCAPI_DOCUMENT_PATH = '/asyncapi.json';

/**
 * Serves the AsyncAPI document of the events at GET /asyncapi.json, outside /api so that no key
 * is asked: it describes what every frontend may already do, and holds no secret.
 */
export function serveAsyncApiDocument(app: NestExpressApplication): void {
  const document = asyncApiDocument();
  app
    .getHttpAdapter()
    .getInstance()
    .get(ASYNCAPI_DOCUMENT_PATH, (_request, response) => {
      response.json(document);
    });
}
