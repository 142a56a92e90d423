import type { IncomingMessage } from 'node:http';
import { isOriginAllowed } from './origin-policy.js';

/** A handshake request as the policy sees it: only its Origin and Host headers matter. */
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

  it('allows a page served by the host the request is made to, even when nothing is listed', () => {
    const request = handshake('http://switchboard.example:3000', 'switchboard.example:3000');
    expect(isOriginAllowed(request, false)).toBe(true);
    expect(isOriginAllowed(request, listed)).toBe(true);
  });

  it('refuses a malformed origin on a request without a Host header', () => {
    const request = { headers: { origin: 'not an origin' } } as IncomingMessage;
    expect(isOriginAllowed(request, false)).toBe(false);
  });

  it('refuses the same host name on another port', () => {
    const request = handshake('http://switchboard.example:4000', 'switchboard.example:3000');
    expect(isOriginAllowed(request, false)).toBe(false);
  });

  it('refuses a malformed origin', () => {
    expect(isOriginAllowed(handshake('not an origin'), listed)).toBe(false);
    expect(isOriginAllowed(handshake('null'), false)).toBe(false);
  });

  it('refuses a foreign origin when no origin is allowed (production with none listed)', () => {
    expect(isOriginAllowed(handshake('https://any.example'), false)).toBe(false);
  });
});
