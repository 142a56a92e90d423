import { describe, expect, it } from '@jest/globals';
import { broadcastDataAround } from './redis-history.scripts.js';

describe('the adapter stream entry of a stored message', () => {
  it('is the Socket.IO streams adapter broadcast of the event to the rooms, but not the excluded', () => {
    const [before, after] = broadcastDataAround({
      event: 'chat:message',
      rooms: ['room:lobby'],
      except: ['socket-1'],
    });
    expect(JSON.parse(`${before}{"offset":7}${after}`)).toEqual({
      packet: { type: 2, data: ['chat:message', { offset: 7 }], nsp: '/' },
      opts: { rooms: ['room:lobby'], except: ['socket-1'], flags: {} },
    });
  });
});
