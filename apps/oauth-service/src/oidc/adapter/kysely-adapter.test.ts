import type { Database } from '@platform/db';
import { describeEachDialect } from '@platform/db/testing';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKyselyAdapter } from './kysely-adapter.ts';
import type { OidcTables } from './tables.ts';
import { openOidcTestDatabase } from './test-database.ts';

const T0 = 1_700_000_000_123;

describeEachDialect('oidc-provider Kysely adapter', (temp) => {
  let database: Database<OidcTables>;
  let clock = T0;
  let adapterFor: (model: string) => Adapter;

  beforeAll(async () => {
    database = await openOidcTestDatabase(temp().url);
    adapterFor = createKyselyAdapter(database.db, { now: () => clock });
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    clock = T0;
    await database.db.deleteFrom('oidc_payloads').execute();
  });

  const rows = () =>
    database.db.selectFrom('oidc_payloads').selectAll().orderBy('model').orderBy('id').execute();

  describe('upsert and find', () => {
    it('round-trips nested JSON, unicode and awkward characters exactly', async () => {
      const payload = {
        accountId: 'ünïcødé-用户-👩‍💻',
        claims: { id_token: { email: { essential: true }, nested: { deep: [1, 2.5, -3e-7, null, 'x'] } } },
        params: { state: 'a\u0000b', nonce: '"quoted" \\ back\nslash\t', emoji: '🔐', rtl: 'مرحبا' },
        amr: ['pwd', 'otp'],
        expiresWithSession: false,
        extra: {},
      } as unknown as AdapterPayload;
      await adapterFor('AccessToken').upsert('tok-1', payload, 60);
      expect(await adapterFor('AccessToken').find('tok-1')).toEqual(payload);
    });

    it('keeps a __proto__ key as plain data', async () => {
      const payload = JSON.parse('{"__proto__":{"polluted":true},"kind":"Grant"}') as AdapterPayload;
      await adapterFor('Grant').upsert('g', payload, 60);
      const found = (await adapterFor('Grant').find('g')) as Record<string, unknown>;
      expect(Object.hasOwn(found, '__proto__')).toBe(true);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('returns undefined for unknown ids and keeps each model separate', async () => {
      await adapterFor('AccessToken').upsert('shared', { kind: 'AccessToken' }, 60);
      await adapterFor('RefreshToken').upsert('shared', { kind: 'RefreshToken' }, 60);
      expect(await adapterFor('AccessToken').find('missing')).toBeUndefined();
      expect(await adapterFor('AccessToken').find('shared')).toEqual({ kind: 'AccessToken' });
      expect(await adapterFor('RefreshToken').find('shared')).toEqual({ kind: 'RefreshToken' });
      expect(await adapterFor('AuthorizationCode').find('shared')).toBeUndefined();
    });

    it('treats bad ids as absent when reading and refuses them when writing', async () => {
      const adapter = adapterFor('AccessToken');
      expect(await adapter.find(undefined as unknown as string)).toBeUndefined();
      expect(await adapter.find(42 as unknown as string)).toBeUndefined();
      expect(await adapter.find('x'.repeat(10_000))).toBeUndefined();
      await expect(adapter.upsert('', {}, 60)).rejects.toThrow(TypeError);
      await expect(adapter.upsert('x'.repeat(256), {}, 60)).rejects.toThrow(/at most 255/);
      await expect(adapter.upsert('ok', {}, Number.NaN)).rejects.toThrow(/expiresIn/);
      await expect(adapter.upsert('ok', {}, '60' as unknown as number)).rejects.toThrow(/expiresIn/);
      await expect(adapter.upsert('a\u0000b', {}, 60)).rejects.toThrow(/without NUL/);
      // Attacker-supplied tokens reach find; PostgreSQL would reject a NUL in a parameter outright.
      expect(await adapter.find('a\u0000b')).toBeUndefined();
      expect(await adapterFor('Session').findByUid('\u0000')).toBeUndefined();
      expect(await adapterFor('DeviceCode').findByUserCode('A\u0000')).toBeUndefined();
      await adapter.consume('a\u0000b');
      await adapter.destroy('a\u0000b');
      await adapter.revokeByGrantId('g\u0000');
      await adapter.upsert('x'.repeat(255), { jti: 'long' }, 60);
      expect(await adapter.find('x'.repeat(255))).toEqual({ jti: 'long' });
      expect(await rows()).toHaveLength(1);
    });

    it('overwrites payload, expiry and lookup columns in place', async () => {
      const adapter = adapterFor('DeviceCode');
      await adapter.upsert('dc', { userCode: 'OLD-CODE', grantId: 'g-old', scope: 'a' }, 10);
      await adapter.upsert('dc', { userCode: 'NEW-CODE', grantId: 'g-new', scope: 'b' }, 100);
      expect(await rows()).toMatchObject([
        { model: 'DeviceCode', id: 'dc', user_code: 'NEW-CODE', grant_id: 'g-new', expires_at: T0 + 100_000 },
      ]);
      expect(await adapter.find('dc')).toEqual({ userCode: 'NEW-CODE', grantId: 'g-new', scope: 'b' });
      expect(await adapter.findByUserCode('OLD-CODE')).toBeUndefined();
      clock = T0 + 50_000;
      expect(await adapter.find('dc')).toBeDefined();
    });

    it('can shorten a lifetime and drop it altogether', async () => {
      const adapter = adapterFor('Session');
      await adapter.upsert('s', { uid: 'u' }, 100);
      await adapter.upsert('s', { uid: 'u' }, 1);
      clock = T0 + 1_000;
      expect(await adapter.find('s')).toBeUndefined();
      await adapter.upsert('s', { uid: 'u' }); // no expiresIn: lives until destroyed
      clock = T0 + 10 * 365 * 24 * 3600 * 1000;
      expect(await adapter.find('s')).toEqual({ uid: 'u' });
      await adapter.upsert('s', { uid: 'u' }, Number.POSITIVE_INFINITY);
      expect((await rows())[0]?.expires_at).toBeNull();
    });
  });

  describe('expiry', () => {
    it('returns a row up to the last millisecond before it expires, never at or after', async () => {
      await adapterFor('AuthorizationCode').upsert('code', { grantId: 'g' }, 10);
      clock = T0 + 9_999;
      expect(await adapterFor('AuthorizationCode').find('code')).toEqual({ grantId: 'g' });
      clock = T0 + 10_000;
      expect(await adapterFor('AuthorizationCode').find('code')).toBeUndefined();
      clock = T0 + 10_001;
      expect(await adapterFor('AuthorizationCode').find('code')).toBeUndefined();
    });

    it('stores fractional lifetimes to the millisecond and treats zero or negative as already expired', async () => {
      await adapterFor('ReplayDetection').upsert('frac', {}, 1.5);
      await adapterFor('ReplayDetection').upsert('zero', {}, 0);
      await adapterFor('ReplayDetection').upsert('neg', {}, -5);
      expect((await rows()).map((row) => [row.id, row.expires_at])).toEqual([
        ['frac', T0 + 1_500],
        ['neg', T0 - 5_000],
        ['zero', T0],
      ]);
      expect(await adapterFor('ReplayDetection').find('zero')).toBeUndefined();
      expect(await adapterFor('ReplayDetection').find('neg')).toBeUndefined();
      clock = T0 + 1_499;
      expect(await adapterFor('ReplayDetection').find('frac')).toEqual({});
    });

    it('hides expired rows from findByUid and findByUserCode too', async () => {
      await adapterFor('Session').upsert('sess', { uid: 'uid-1' }, 5);
      await adapterFor('DeviceCode').upsert('dev', { userCode: 'ABCD-EFGH' }, 5);
      clock = T0 + 4_999;
      expect(await adapterFor('Session').findByUid('uid-1')).toEqual({ uid: 'uid-1' });
      expect(await adapterFor('DeviceCode').findByUserCode('ABCD-EFGH')).toEqual({ userCode: 'ABCD-EFGH' });
      clock = T0 + 5_000;
      expect(await adapterFor('Session').findByUid('uid-1')).toBeUndefined();
      expect(await adapterFor('DeviceCode').findByUserCode('ABCD-EFGH')).toBeUndefined();
    });
  });

  describe('consume', () => {
    it('marks the row so find reports consumed (epoch seconds) and keeps the first time', async () => {
      const adapter = adapterFor('RefreshToken');
      await adapter.upsert('rt', { grantId: 'g', kind: 'RefreshToken' }, 60);
      expect((await adapter.find('rt'))?.consumed).toBeUndefined();
      clock = T0 + 2_000;
      await adapter.consume('rt');
      expect(await adapter.find('rt')).toEqual({
        grantId: 'g',
        kind: 'RefreshToken',
        consumed: Math.floor((T0 + 2_000) / 1000),
      });
      clock = T0 + 30_000;
      await adapter.consume('rt');
      expect((await adapter.find('rt'))?.consumed).toBe(Math.floor((T0 + 2_000) / 1000));
    });

    it('touches only that model and id, and ignores unknown ids', async () => {
      await adapterFor('AuthorizationCode').upsert('same', {}, 60);
      await adapterFor('RefreshToken').upsert('same', {}, 60);
      await adapterFor('AuthorizationCode').consume('missing');
      await adapterFor('AuthorizationCode').consume('same');
      expect((await adapterFor('AuthorizationCode').find('same'))?.consumed).toBeTypeOf('number');
      expect((await adapterFor('RefreshToken').find('same'))?.consumed).toBeUndefined();
      expect(await rows()).toHaveLength(2);
    });

    it('is reported by findByUserCode and cleared by a re-save', async () => {
      const adapter = adapterFor('DeviceCode');
      await adapter.upsert('dc', { userCode: 'WXYZ' }, 60);
      await adapter.consume('dc');
      expect((await adapter.findByUserCode('WXYZ'))?.consumed).toBe(Math.floor(T0 / 1000));
      await adapter.upsert('dc', { userCode: 'WXYZ' }, 60);
      expect((await adapter.find('dc'))?.consumed).toBeUndefined();
      // oidc-provider re-saves with `consumed` in the payload when it still applies; that is kept as given.
      await adapter.upsert('dc', { userCode: 'WXYZ', consumed: 123 }, 60);
      expect((await adapter.find('dc'))?.consumed).toBe(123);
    });
  });

  describe('findByUid and findByUserCode', () => {
    it('find by their own column within the model only', async () => {
      await adapterFor('Session').upsert('s1', { uid: 'u1', accountId: 'alice' }, 60);
      await adapterFor('Session').upsert('s2', { uid: 'u2', accountId: 'bob' }, 60);
      await adapterFor('Interaction').upsert('s3', { uid: 'u3' } as AdapterPayload, 60);
      await adapterFor('DeviceCode').upsert('d1', { userCode: 'CODE-1' }, 60);
      expect(await adapterFor('Session').findByUid('u2')).toEqual({ uid: 'u2', accountId: 'bob' });
      expect(await adapterFor('Session').findByUid('u3')).toBeUndefined();
      expect(await adapterFor('Session').findByUid('nope')).toBeUndefined();
      expect(await adapterFor('Session').findByUid(undefined as unknown as string)).toBeUndefined();
      expect(await adapterFor('DeviceCode').findByUserCode('CODE-1')).toEqual({ userCode: 'CODE-1' });
      expect(await adapterFor('DeviceCode').findByUserCode('code-1')).toBeUndefined();
      expect(await adapterFor('Session').findByUserCode('CODE-1')).toBeUndefined();
    });

    it('prefers the live row when an expired one shares the uid', async () => {
      await adapterFor('Session').upsert('old', { uid: 'dup', accountId: 'old' }, 1);
      await adapterFor('Session').upsert('new', { uid: 'dup', accountId: 'new' }, 60);
      clock = T0 + 1_000;
      expect(await adapterFor('Session').findByUid('dup')).toEqual({ uid: 'dup', accountId: 'new' });
    });
  });

  describe('destroy', () => {
    it('deletes one model/id and tolerates unknown ids', async () => {
      await adapterFor('Session').upsert('x', { uid: 'ux' }, 60);
      await adapterFor('Interaction').upsert('x', {}, 60);
      await adapterFor('Session').destroy('x');
      await adapterFor('Session').destroy('never-existed');
      expect(await adapterFor('Session').find('x')).toBeUndefined();
      expect(await adapterFor('Session').findByUid('ux')).toBeUndefined();
      expect(await adapterFor('Interaction').find('x')).toEqual({});
    });
  });

  describe('revokeByGrantId', () => {
    async function issueUnder(grantId: string) {
      await adapterFor('AccessToken').upsert(`at-${grantId}`, { grantId }, 60);
      await adapterFor('RefreshToken').upsert(`rt-${grantId}`, { grantId }, 600);
      await adapterFor('AuthorizationCode').upsert(`ac-${grantId}`, { grantId }, 10);
      await adapterFor('DeviceCode').upsert(`dc-${grantId}`, { grantId, userCode: `U-${grantId}` }, 60);
      await adapterFor('BackchannelAuthenticationRequest').upsert(`br-${grantId}`, { grantId }, 60);
      await adapterFor('Grant').upsert(grantId, { accountId: 'alice', clientId: 'c' } as AdapterPayload, 600);
      await adapterFor('Interaction').upsert(`in-${grantId}`, { grantId }, 60);
      await adapterFor('Session').upsert(`se-${grantId}`, { uid: `u-${grantId}` }, 60);
    }

    it('removes every token and code of the grant across models, and nothing else', async () => {
      await issueUnder('g1');
      await issueUnder('g2');
      await adapterFor('AccessToken').upsert('at-none', {}, 60);
      await adapterFor('ClientCredentials').upsert('cc', {}, 60);

      // oidc-provider calls it on one model after another; the first call already clears them all.
      await adapterFor('RefreshToken').revokeByGrantId('g1');

      for (const [model, id] of [
        ['AccessToken', 'at-g1'],
        ['RefreshToken', 'rt-g1'],
        ['AuthorizationCode', 'ac-g1'],
        ['DeviceCode', 'dc-g1'],
        ['BackchannelAuthenticationRequest', 'br-g1'],
      ] as const) {
        expect(await adapterFor(model).find(id), `${model} ${id}`).toBeUndefined();
      }
      expect(await adapterFor('DeviceCode').findByUserCode('U-g1')).toBeUndefined();
      // The grant itself goes through Grant.destroy; interactions and sessions are not issued under it.
      expect(await adapterFor('Grant').find('g1')).toBeDefined();
      expect(await adapterFor('Interaction').find('in-g1')).toEqual({ grantId: 'g1' });
      expect(await adapterFor('Session').findByUid('u-g1')).toBeDefined();

      const left = (await rows()).map((row) => `${row.model}:${row.id}`);
      expect(left).toEqual(
        expect.arrayContaining([
          'AccessToken:at-g2',
          'RefreshToken:rt-g2',
          'AuthorizationCode:ac-g2',
          'DeviceCode:dc-g2',
          'BackchannelAuthenticationRequest:br-g2',
          'AccessToken:at-none',
          'ClientCredentials:cc',
        ]),
      );
      expect(left).toHaveLength(8 + 3 + 2);

      await adapterFor('AccessToken').revokeByGrantId('g1');
      await adapterFor('AccessToken').revokeByGrantId('unknown');
      expect(await rows()).toHaveLength(13);
    });

    it('follows a grant change made by a re-save', async () => {
      await adapterFor('RefreshToken').upsert('rt', { grantId: 'before' }, 60);
      await adapterFor('RefreshToken').upsert('rt', { grantId: 'after' }, 60);
      await adapterFor('RefreshToken').revokeByGrantId('before');
      expect(await adapterFor('RefreshToken').find('rt')).toBeDefined();
      await adapterFor('RefreshToken').revokeByGrantId('after');
      expect(await adapterFor('RefreshToken').find('rt')).toBeUndefined();
    });
  });

  describe('overrides', () => {
    it('hands the overridden model to the given factory and everything else to the table', async () => {
      const clients = new Map<string, AdapterPayload>([['web', { client_id: 'web' }]]);
      const asked: string[] = [];
      const factory = createKyselyAdapter(database.db, {
        now: () => clock,
        overrides: {
          Client: (model) => {
            asked.push(model);
            return {
              find: async (id) => clients.get(id),
              upsert: async (id, payload) => void clients.set(id, payload),
              destroy: async (id) => void clients.delete(id),
              findByUid: async () => undefined,
              findByUserCode: async () => undefined,
              consume: async () => undefined,
              revokeByGrantId: async () => undefined,
            };
          },
        },
      });
      const client = factory('Client');
      expect(asked).toEqual(['Client']);
      expect(await client.find('web')).toEqual({ client_id: 'web' });
      await client.upsert('api', { client_id: 'api' });
      expect(clients.has('api')).toBe(true);
      await factory('AccessToken').upsert('at', {}, 60);
      expect((await rows()).map((row) => row.model)).toEqual(['AccessToken']);
    });

    it('instantiates a class override with the model name', async () => {
      class ReadOnly implements Adapter {
        readonly model: string;
        constructor(model: string) {
          this.model = model;
        }
        async find(id: string) {
          return { client_id: `${this.model}:${id}` };
        }
        async upsert() {}
        async findByUid() {}
        async findByUserCode() {}
        async consume() {}
        async destroy() {}
        async revokeByGrantId() {}
      }
      const client = createKyselyAdapter(database.db, { overrides: { Client: ReadOnly } })('Client');
      expect(client).toBeInstanceOf(ReadOnly);
      expect(await client.find('x')).toEqual({ client_id: 'Client:x' });
    });

    it('refuses overrides for unknown models or that are not functions', () => {
      expect(() => createKyselyAdapter(database.db, { overrides: { Clients: () => ({}) } as never })).toThrow(
        /unknown oidc-provider model Clients/,
      );
      expect(() => createKyselyAdapter(database.db, { overrides: { Client: {} as never } })).toThrow(
        /constructor or a factory/,
      );
    });

    it('refuses model names that do not fit the column', () => {
      expect(() => adapterFor('M'.repeat(65))).toThrow(/1 to 64/);
      expect(() => adapterFor('')).toThrow(/1 to 64/);
    });
  });

  it('serves concurrent upserts of one key atomically, leaving a single row', async () => {
    const adapter = adapterFor('Interaction');
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => adapter.upsert('race', { returnTo: `r${i}` }, 60)),
    );
    const stored = await rows();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.payload).toMatch(/^\{"returnTo":"r\d+"\}$/);
  });
});
