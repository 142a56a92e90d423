// Builds DOM nodes. Every text goes in through textContent, never innerHTML: names, messages and
// notifications come from other users and are shown as text, whatever markup they hold.

/**
 * `element('li', { className: 'message', text: 'hi', attributes: { 'data-id': id } }, [child])`.
 * `hidden` and `disabled` are properties, so they are set as such.
 */
export function element(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = String(options.text);
  for (const [name, value] of Object.entries(options.attributes ?? {})) {
    node.setAttribute(name, String(value));
  }
  if (options.hidden) node.hidden = true;
  if (options.disabled) node.disabled = true;
  for (const child of children) node.append(child);
  return node;
}

/** The page's element with this id; throws when the page lacks it, so a typo shows at once. */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`no element #${id} in the page`);
  return node;
}

/** A clock time such as 14:03:27, in the reader's locale. */
export function clockTime(ts) {
  return new Date(ts).toLocaleTimeString();
}

/** JSON for display, short enough for one log line. */
/**
 * The JSON typed into a data field: `{ data }` (undefined for an empty field), or `{ problem }`
 * saying why it is not JSON.
 */
export function parsedJsonField(raw) {
  const text = raw.trim();
  try {
    return { data: text === '' ? undefined : JSON.parse(text) };
  } catch (error) {
    return { problem: `The data is not JSON: ${error.message}` };
  }
}

export function preview(value, limit = 300) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch {
    text = String(value);
  }
  if (text === undefined) text = '';
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

/** Says what a failed request was: the SwitchboardError's code and message. */
export function describeError(error) {
  if (error && typeof error === 'object' && 'code' in error)
    return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Keeps a scrolled list at its end when the reader was already there. */
export function appendKeepingEnd(list, node) {
  const atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.append(node);
  if (atEnd) list.scrollTop = list.scrollHeight;
}
