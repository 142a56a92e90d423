import type { IncomingMessage } from 'node:http';
import { isOriginAllowed } from './origin-policy.js';

/** A handshake request with its Origin and Host headers: only the first may matter. */
function handshake(origin: string | undefined, host = 'switchboard.example:3000'): IncomingMessage {
  return { headers: { origin, host } } as IncomingMessage;
}

describe('isOriginAllowed', () => {
  const listed = ['https://app.example', 'https://admin.example'];

  it('allows a request with no Origin (not a browser), whatever is listed', () => {
    expect(isOriginAllowed(handshake(undefined), listed)).toBe(true);
    expect(isOriginAllowed(handshake(undefined), false)).toBe(true);
  });

  it('allows any origin when every origin is allowed (*)', () => {
    expect(isOriginAllowed(handshake('https://any.example'), '*')).toBe(true);
  });

  it('allows a listed origin', () => {
    expect(isOriginAllowed(handshake('https://app.example'), listed)).toBe(true);
    expect(isOriginAllowed(handshake('https://admin.example'), listed)).toBe(true);
  });

  it('refuses an origin that is not listed', () => {
    expect(isOriginAllowed(handshake('https://evil.example'), listed)).toBe(false);
    expect(isOriginAllowed(handshake('https://app.example.evil.example'), listed)).toBe(false);
    expect(isOriginAllowed(handshake('http://app.example'), listed)).toBe(false);
  });

  it('refuses an origin that only the Host header names (a domain pointed at this server)', () => {
    const forged = handshake('http://evil.example', 'evil.example');
    expect(isOriginAllowed(forged, false)).toBe(false);
    expect(isOriginAllowed(forged, listed)).toBe(false);
    const ownPage = handshake('http://switchboard.example:3000', 'switchboard.example:3000');
    expect(isOriginAllowed(ownPage, listed)).toBe(false);
  });

  it('refuses a malformed origin', () => {
    expect(isOriginAllowed(handshake('not an origin'), listed)).toBe(false);
    expect(isOriginAllowed(handshake('null'), false)).toBe(false);
  });

  it('refuses a foreign origin when no origin is allowed (production with none listed)', () => {
    expect(isOriginAllowed(handshake('https://any.example'), false)).toBe(false);
  });
});
