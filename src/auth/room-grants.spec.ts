import { ConnectHook } from '../hooks/connect-hook.js';
import { Test } from '@nestjs/testing';
import { signToken, TEST_JWT_SECRET } from '../../test/support/tokens.js';
import { AppConfig, loadConfig } from '../config/app-config.js';
import type { Identity } from '@switchboard/contract';
import { JoinHook } from '../hooks/join-hook.js';
import { Authenticator } from './authenticator.js';
import { RoomGrants } from './room-grants.js';

async function grantsWith(env: Record<string, string> = {}): Promise<RoomGrants> {
  const moduleRef = await Test.createTestingModule({
    providers: [
      RoomGrants,
      Authenticator,
      // With HOOK_JOIN_URL unset, as here, the join hook is never asked.
      { provide: JoinHook, useValue: { enabled: false } },
      { provide: ConnectHook, useValue: { enabled: false } },
      { provide: AppConfig, useValue: loadConfig({ AUTH_JWT_SECRET: TEST_JWT_SECRET, ...env }) },
    ],
  }).compile();
  return moduleRef.get(RoomGrants);
}

const user = (grants: Partial<Identity> = {}): Identity => ({
  id: 'alice',
  name: 'Alice',
  roles: [],
  rooms: [],
  ...grants,
});
const guest: Identity = { id: 'guest:1234', name: 'Guest', roles: [] };
const roomToken = (claims: { sub?: string; room?: string }, expiresIn: number | string = '1h') =>
  signToken(claims, { expiresIn });

describe('RoomGrants', () => {
  let grants: RoomGrants;
  beforeEach(async () => {
    grants = await grantsWith();
  });

  it('lets anyone, a guest included, into a room that is not private', async () => {
    await expect(grants.assertMayJoin(guest, 'lobby')).resolves.toBeUndefined();
  });

  it.each([
    ['its exact name in the rooms claim', user({ rooms: ['private:team-42-ops'] }), undefined],
    ['a prefix in the rooms claim', user({ rooms: ['private:team-42-*'] }), undefined],
    ['the admin role', user({ roles: ['admin'] }), undefined],
    ['a room token for this user and room', user(), { sub: 'alice', room: 'private:team-42-ops' }],
  ])('lets a user into a private room with %s', async (_grant, who, tokenClaims) => {
    const token = tokenClaims && (await roomToken(tokenClaims));
    await expect(grants.assertMayJoin(who, 'private:team-42-ops', token)).resolves.toBeUndefined();
  });

  it.each([
    ['no grant at all', user(), undefined],
    ['a claim for another room', user({ rooms: ['private:other', 'private:team-5*'] }), undefined],
    ['a room token for another user', user(), roomToken({ sub: 'bob', room: 'private:team-42' })],
    ['a room token for another room', user(), roomToken({ sub: 'alice', room: 'private:x' })],
    [
      'an expired room token',
      user(),
      roomToken({ sub: 'alice', room: 'private:team-42' }, Math.floor(Date.now() / 1000) - 60),
    ],
    ['a room token that is not a JWT', user(), Promise.resolve('garbage')],
    ['a room token without a room claim', user(), roomToken({ sub: 'alice' })],
    ['a guest’s room token', guest, roomToken({ sub: 'guest:1234', room: 'private:team-42' })],
  ])('refuses a private room as FORBIDDEN with %s', async (_case, who, token) => {
    await expect(grants.assertMayJoin(who, 'private:team-42', await token)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('asks a grant for every room with ROOMS_REQUIRE_GRANT', async () => {
    const strict = await grantsWith({ ROOMS_REQUIRE_GRANT: 'true' });
    await expect(strict.assertMayJoin(user(), 'lobby')).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(strict.assertMayJoin(guest, 'lobby')).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(
      strict.assertMayJoin(user({ rooms: ['lobby'] }), 'lobby'),
    ).resolves.toBeUndefined();
  });
});
