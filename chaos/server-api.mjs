// What the soak reads through the server API: a room's history, to check everything against.

const REQUEST_TIMEOUT_MS = 10_000;
const PAGE = 100;

async function historyPage(url, apiKey, room, query) {
  const response = await fetch(`${url}/api/rooms/${encodeURIComponent(room)}/messages?${query}`, {
    headers: { authorization: `Bearer ${apiKey}` },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (response.status !== 200) {
    throw new Error(`GET the history of ${room}: ${response.status} ${await response.text()}`);
  }
  return response.json();
}

/** Every stored message of `room`, oldest first, paged with `after`. */
export async function readHistory(url, apiKey, room) {
  const messages = [];
  for (let after = 0; ;) {
    const page = await historyPage(url, apiKey, room, `after=${after}&limit=${PAGE}`);
    messages.push(...page.messages);
    if (!page.hasMore || page.messages.length === 0) return messages;
    after = page.messages.at(-1).offset;
  }
}

/** The newest offset of `room` from the first of `nodes` that answers; undefined when none does. */
export async function newestOffset(nodes, apiKey, room) {
  for (const node of nodes) {
    try {
      const page = await historyPage(node.url, apiKey, room, 'limit=1');
      return page.messages.at(-1)?.offset ?? 0;
    } catch {
      // Another node, then.
    }
  }
  return undefined;
}
