import { describe, expect, it } from '@jest/globals';
import { broadcastAround } from './redis-history.scripts.js';

describe('the published broadcast of a stored message', () => {
  it("is the cluster adapter's broadcast of the event to the rooms, but not the excluded, from no node", () => {
    const [before, after] = broadcastAround({
      event: 'chat:message',
      rooms: ['room:{lobby}'],
      except: ['socket-1'],
    });
    expect(JSON.parse(`${before}{"offset":7}${after}`)).toEqual({
      uid: 'emitter',
      nsp: '/',
      type: 3,
      data: {
        packet: { type: 2, data: ['chat:message', { offset: 7 }], nsp: '/' },
        opts: { rooms: ['room:{lobby}'], except: ['socket-1'], flags: {} },
      },
    });
  });
});
