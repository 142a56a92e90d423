import { clientEvents } from './client-events.js';
import { reply, schemas, type JsonSchema } from './schemas.js';
import { serverEvents } from './server-events.js';

/**
 * The AsyncAPI 3 document of the contract's Socket.IO events, described from the server's side:
 * a client→server event is an operation the server `receive`s, answered by the acknowledgement
 * (`reply`); a server→client event is one it `send`s. Built from `clientEvents` and
 * `serverEvents`, which are keyed by the typed-events maps, so that it follows the server's types.
 */
export function asyncApiDocument(): Record<string, unknown> {
  const channels: Record<string, { address: string; messages: Record<string, unknown> }> = {};
  const operations: Record<string, unknown> = {};
  const channelOf = (event: string) => {
    const id = channelId(event);
    channels[id] ??= { address: event, messages: {} };
    return { id, messages: channels[id].messages, ref: { $ref: `#/channels/${id}` } };
  };
  const messageRef = (id: string, name: string) => ({ $ref: `#/channels/${id}/messages/${name}` });

  for (const [event, { summary, payload, replyData }] of Object.entries(clientEvents)) {
    const channel = channelOf(event);
    channel.messages.request = message(event, summary, payload);
    channel.messages.reply = message(event, 'The acknowledgement: Reply<T>.', reply(replyData));
    operations[`receive.${channel.id}`] = {
      action: 'receive',
      channel: channel.ref,
      summary,
      messages: [messageRef(channel.id, 'request')],
      reply: { channel: channel.ref, messages: [messageRef(channel.id, 'reply')] },
    };
  }
  for (const [event, { summary, payload, ack }] of Object.entries(serverEvents)) {
    const channel = channelOf(event);
    channel.messages.event = message(event, summary, payload);
    if (ack !== undefined) {
      channel.messages.ack = message(event, "The client's acknowledgement.", ack);
    }
    operations[`send.${channel.id}`] = {
      action: 'send',
      channel: channel.ref,
      summary,
      messages: [messageRef(channel.id, 'event')],
      ...(ack === undefined
        ? {}
        : { reply: { channel: channel.ref, messages: [messageRef(channel.id, 'ack')] } }),
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Switchboard events',
      version: '1',
      description:
        'The Socket.IO events of the Switchboard contract (docs/protocol.md): event names are channel addresses; every client event takes an acknowledgement callback, called once with a Reply.',
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { schemas },
  };
}

/** AsyncAPI ids may not hold the `:` of event names, which stay whole in each channel's address. */
function channelId(event: string): string {
  return event.replaceAll(':', '.');
}

function message(name: string, summary: string, payload: JsonSchema | undefined) {
  return { name, summary, ...(payload === undefined ? {} : { payload }) };
}
