/** A response with its body read once: parsed when the server says it is JSON, else the text. */
export interface HttpReply<T = unknown> {
  status: number;
  contentType: string;
  headers: Headers;
  body: T;
}

async function replyOf<T>(response: Response): Promise<HttpReply<T>> {
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  const body = (contentType.includes('application/json') ? JSON.parse(text) : text) as T;
  return { status: response.status, contentType, headers: response.headers, body };
}

export async function get<T = unknown>(
  baseUrl: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<HttpReply<T>> {
  return replyOf<T>(await fetch(new URL(path, baseUrl), { headers }));
}

export function bearer(apiKey: string): string {
  return `Bearer ${apiKey}`;
}

/**
 * A POST as another backend does. `body` is sent as JSON unless it is a string, which is sent as it
 * is (to send a body that is not JSON).
 */
export async function post<T = unknown>(
  baseUrl: string,
  path: string,
  body: unknown,
  authorization?: string,
): Promise<HttpReply<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== undefined) headers.authorization = authorization;
  const response = await fetch(new URL(path, baseUrl), {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return replyOf<T>(response);
}

/** POST /api/notifications as another backend does (see `post`). */
export function postNotification<T = unknown>(
  baseUrl: string,
  body: unknown,
  authorization?: string,
): Promise<HttpReply<T>> {
  return post<T>(baseUrl, '/api/notifications', body, authorization);
}

/** The server API of one server, with its key: `get` and `post` that send it. */
export function serverApi(baseUrl: () => string, apiKey: string) {
  return {
    get: <T = unknown>(path: string) => get<T>(baseUrl(), path, { authorization: bearer(apiKey) }),
    post: <T = unknown>(path: string, body: unknown) =>
      post<T>(baseUrl(), path, body, bearer(apiKey)),
  };
}
