import { ClientEvents, ServerEvents } from '../events.js';
import { asyncApiDocument } from './document.js';

interface Operation {
  action: 'send' | 'receive';
  channel: { $ref: string };
}

/** The event names that the document's operations of one action address. */
function addressesOf(action: Operation['action']): string[] {
  const document = asyncApiDocument() as {
    channels: Record<string, { address: string }>;
    operations: Record<string, Operation>;
  };
  return Object.values(document.operations)
    .filter((operation) => operation.action === action)
    .map((operation) => document.channels[operation.channel.$ref.split('/').at(-1) ?? ''].address)
    .sort();
}

// Its validity is checked on the served document, in test/asyncapi.e2e-spec.ts.
describe('the AsyncAPI document', () => {
  it('describes every client event of the contract as an operation with a reply, and no other', () => {
    expect(addressesOf('receive')).toEqual(Object.values(ClientEvents).sort());
  });

  it('describes every server event of the contract, and no other', () => {
    expect(addressesOf('send')).toEqual(Object.values(ServerEvents).sort());
  });
});
