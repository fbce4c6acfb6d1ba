import { describeEachDialect } from '@platform/db/testing';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AdminHarness, bearer, failedFields, startAdminHarness } from '../test-support.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDialect('admin API: signing keys', (temp) => {
  let h: AdminHarness;
  let auth: Record<string, string>;

  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    auth = bearer(await h.clientToken());
  });
  afterAll(() => h?.close());

  const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  const publishedKids = async () =>
    ((await h.app.inject({ method: 'GET', url: '/oauth/jwks' })).json().keys as Array<{ kid: string }>).map(
      (key) => key.kid,
    );
  const signingKidOfNewToken = async () => decodeProtectedHeader(await h.clientToken()).kid;

  it('lists the keys without any key material', async () => {
    const response = await call('GET', '/api/admin/keys');
    expect(response.statusCode).toBe(200);
    const { items, signing_kid: signingKid } = response.json();
    expect(items).toEqual([
      expect.objectContaining({
        kid: signingKid,
        alg: 'ES256',
        status: 'active',
        signing: true,
        retired_at: null,
      }),
    ]);
    expect(await signingKidOfNewToken()).toBe(signingKid);
    expect(response.payload).not.toMatch(/"d"|private|jwk/i);
  });

  it('rotates: the new kid is published at once and signs after the activation delay', async () => {
    const before = (await call('GET', '/api/admin/keys')).json().signing_kid;
    const started = Date.now();
    const response = await call('POST', '/api/admin/keys/rotate', { activation_delay_seconds: 1 });
    expect(response.statusCode).toBe(201);
    const { kid, activates_at: activatesAt, signing_kid: signingNow } = response.json();
    expect(kid).not.toBe(before);
    expect(signingNow).toBe(before);
    expect(Date.parse(activatesAt) - started).toBeGreaterThanOrEqual(900);
    expect(Date.parse(activatesAt) - started).toBeLessThan(5_000);

    expect(await publishedKids()).toEqual(expect.arrayContaining([before, kid]));
    expect(await signingKidOfNewToken()).toBe(before);
    const listed = (await call('GET', '/api/admin/keys')).json().items;
    expect(listed.find((k: { kid: string }) => k.kid === kid)).toMatchObject({
      status: 'pending',
      signing: false,
    });

    const [event] = await h.auditOf('key.rotate');
    expect(event).toMatchObject({
      targetType: 'signing_key',
      targetId: kid,
      details: { kid, activation_delay_seconds: 1 },
    });

    await sleep(Math.max(0, Date.parse(activatesAt) - Date.now()) + 50);
    await h.service.providers.refresh(); // what each instance's key poll does
    const fresh = await h.clientToken();
    expect(decodeProtectedHeader(fresh).kid).toBe(kid);
    // The admin API accepts tokens signed by the new key (verified in-process against the current keys).
    expect(
      (await h.app.inject({ method: 'GET', url: '/api/admin/keys', headers: bearer(fresh) })).statusCode,
    ).toBe(200);
    const after = (await call('GET', '/api/admin/keys')).json();
    expect(after.signing_kid).toBe(kid);
    expect(after.items.find((k: { kid: string }) => k.kid === before)).toMatchObject({
      status: 'retired',
      signing: false,
      retired_at: expect.any(String),
      expires_at: expect.any(String),
    });
    expect(await publishedKids()).toEqual(expect.arrayContaining([before, kid]));
  });

  it('rotates with no delay: the new key signs at once and the admin API knows it at once', async () => {
    const response = await call('POST', '/api/admin/keys/rotate', { activation_delay_seconds: 0 });
    const { kid, signing_kid: signingKid } = response.json();
    expect(signingKid).toBe(kid);
    const token = await h.clientToken();
    expect(decodeProtectedHeader(token).kid).toBe(kid);
    expect(
      (await h.app.inject({ method: 'GET', url: '/api/admin/users', headers: bearer(token) })).statusCode,
    ).toBe(200);
  });

  it('defaults to a 60 s activation delay, and refuses delays outside 0..3600', async () => {
    for (const delay of [-1, 3601, 1.5, 'soon']) {
      const response = await call('POST', '/api/admin/keys/rotate', { activation_delay_seconds: delay });
      expect(response.statusCode, String(delay)).toBe(400);
      expect(failedFields(response)).toEqual(['body:/activation_delay_seconds']);
    }
    const started = Date.now();
    const response = await h.app.inject({ method: 'POST', url: '/api/admin/keys/rotate', headers: auth });
    expect(response.statusCode).toBe(201);
    const delay = Date.parse(response.json().activates_at) - started;
    expect(delay).toBeGreaterThanOrEqual(59_000);
    expect(delay).toBeLessThan(65_000);
    expect(await publishedKids()).toContain(response.json().kid);
  });

  it('takes no body as the defaults, but refuses a JSON null body (not an object) with 400', async () => {
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/admin/keys/rotate',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: 'null',
    });
    expect(response.statusCode).toBe(400);
    expect(failedFields(response)).toEqual(['body:']);
  });
});
