import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { type AdminHarness, InjectBrowser, PUBLIC_URL, startAdminHarness } from '../admin/test-support.ts';
import { createSecretBox } from '../crypto/secret-box.ts';
import { signInFlow } from '../mfa/sign-in-test-support.ts';
import { createFederationRepositories } from './repositories.ts';
import { startTestUpstream, type TestUpstream } from './test-upstream.ts';

// The sign-in through an upstream OpenID provider, in process (app.inject) against a real second
// oidc-provider on a loopback port: JIT provisioning, linking by verified email, forged ID tokens, groups to
// roles, the MFA policy after the upstream, a disabled provider.

const PROVIDER = 'test-idp';
const CALLBACK = `${PUBLIC_URL}/login/upstream/${PROVIDER}/callback`;

/** Follows the upstream's redirects with a cookie jar until it sends the browser back to us. */
async function upstreamLeg(start: URL): Promise<string> {
  const jar = new Map<string, string>();
  let url = start.href;
  for (let hops = 0; hops < 12; hops += 1) {
    if (url.startsWith(PUBLIC_URL)) return url;
    const response = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    const location = response.headers.get('location');
    if (!location) throw new Error(`upstream stopped (${response.status}): ${await response.text()}`);
    url = new URL(location, url).href;
  }
  throw new Error('too many upstream redirects');
}

describeEachDialect('sign-in through an upstream identity provider', (temp) => {
  let h: AdminHarness;
  let upstream: TestUpstream;
  let federation: ReturnType<typeof createFederationRepositories>;
  let flow: ReturnType<typeof signInFlow>;

  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    upstream = await startTestUpstream([CALLBACK, `${PUBLIC_URL}/login/upstream/plain-oauth2/callback`]);
    federation = createFederationRepositories(h.db, createSecretBox(h.config.ENCRYPTION_KEY));
    flow = signInFlow(h);
    await federation.providers.create({
      id: PROVIDER,
      displayName: 'Upstream Test',
      kind: 'oidc',
      issuer: upstream.issuer,
      authorizationEndpoint: null,
      tokenEndpoint: null,
      userinfoEndpoint: null,
      clientId: upstream.clientId,
      clientSecret: upstream.clientSecret,
      scopes: ['openid', 'email', 'profile', 'groups'],
      claimMapping: {
        subject: 'sub',
        email: 'email',
        email_verified: 'email_verified',
        name: 'name',
        groups: 'groups',
      },
      groupRoles: { 'platform-operators': 'operator' },
      jitEnabled: true,
      defaultRoles: ['user'],
      allowedEmailDomains: ['example.org'],
      linkByVerifiedEmail: false,
      mfaSatisfiedBy: { amr: ['hwk'], acr: [] },
      enabled: true,
    });
  });
  afterAll(async () => {
    await upstream?.stop();
    await h?.close();
  });
  beforeEach(() => {
    upstream.forge = undefined;
  });

  /** Starts an authorization, follows the page's upstream link and the upstream; returns the last step. */
  /** Signs `login` in at the upstream from the sign-in page's button (`start`); the callback it returns to. */
  async function toCallback(login: string, browser = new InjectBrowser(h.app)) {
    upstream.nextLogin = login;
    const { step, verifier } = await flow.authorize(browser);
    const page = step.response.payload;
    const href = /href="(\/login\/upstream\/[^"]+)"/.exec(page)?.[1]?.replaceAll('&amp;', '&');
    expect(page).toContain('Sign in with Upstream Test');
    const started = await browser.follow('GET', href!);
    expect(started.leftTo?.origin).toBe(upstream.issuer);
    return { start: href!, back: await upstreamLeg(started.leftTo!), browser, verifier };
  }

  async function viaUpstream(login: string, browser = new InjectBrowser(h.app)) {
    const { back, verifier } = await toCallback(login, browser);
    return { done: await browser.follow('GET', back), browser, verifier };
  }

  it('provisions a new account just in time; the client gets an ID token for it', async () => {
    upstream.accounts.set('ada', {
      sub: 'up-ada',
      email: 'ada@example.org',
      email_verified: true,
      name: 'Ada L',
    });
    const { done, browser, verifier } = await viaUpstream('ada');
    const claims = await flow.idTokenOf(browser, done, verifier);
    const user = await h.users.findByEmail('ada@example.org');
    expect(user).toMatchObject({ username: 'ada', displayName: 'Ada L', emailVerified: true });
    expect(claims).toMatchObject({ sub: user!.id, amr: ['fed'] });
    expect((await h.roles.rolesOf(user!.id)).map((r) => r.name)).toEqual(['user']);
    expect(await federation.identities.find(PROVIDER, 'up-ada')).toMatchObject({ userId: user!.id });
    expect((await h.auditOf('upstream.provisioned'))[0]).toMatchObject({ actorId: user!.id });
    const metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).payload;
    expect(metrics).toMatch(/^oauth_login_attempts_total\{result="success",factor="upstream"\} [1-9]/m);
  });

  it('links an existing account by a verified email only when the provider allows it', async () => {
    const existing = await h.createUser('grace', []);
    upstream.accounts.set('grace', { sub: 'up-grace', email: existing.email, email_verified: true });
    const refused = await viaUpstream('grace');
    expect(refused.done.response.statusCode).toBe(403);
    expect(refused.done.response.payload).toContain('Sign in with your password, then link');
    expect(await federation.identities.find(PROVIDER, 'up-grace')).toBeUndefined();
    expect((await h.auditOf('upstream.refused'))[0]).toMatchObject({
      details: expect.objectContaining({ reason: 'link_required' }),
    });

    await federation.providers.update(PROVIDER, { linkByVerifiedEmail: true });
    upstream.accounts.set('grace', { sub: 'up-grace', email: existing.email, email_verified: false });
    const unverified = await viaUpstream('grace');
    expect(unverified.done.response.statusCode).toBe(403);

    upstream.accounts.set('grace', { sub: 'up-grace', email: existing.email, email_verified: true });
    const { done, browser, verifier } = await viaUpstream('grace');
    expect((await flow.idTokenOf(browser, done, verifier)).sub).toBe(existing.id);
    expect(await federation.identities.find(PROVIDER, 'up-grace')).toMatchObject({ userId: existing.id });
    await federation.providers.update(PROVIDER, { linkByVerifiedEmail: false });
  });

  it.each([['wrong_nonce' as const], ['wrong_audience' as const], ['unknown_key' as const]])(
    'refuses a forged upstream ID token (%s)',
    async (forgery) => {
      upstream.accounts.set('mallory', {
        sub: 'up-mallory',
        email: 'mallory@example.org',
        email_verified: true,
      });
      upstream.forge = forgery;
      const { done } = await viaUpstream('mallory');
      expect(done.leftTo).toBeUndefined();
      expect(done.response.statusCode).toBe(400);
      expect(done.response.payload).toContain('did not succeed');
      expect(await h.users.findByEmail('mallory@example.org')).toBeUndefined();
      expect((await h.auditOf('upstream.refused'))[0]).toMatchObject({
        details: expect.objectContaining({ reason: 'token_rejected' }),
      });
    },
  );

  it('maps groups to roles at every sign-in; roles outside the mapping stay', async () => {
    upstream.accounts.set('ops', {
      sub: 'up-ops',
      email: 'ops@example.org',
      email_verified: true,
      groups: ['platform-operators'],
    });
    const first = await viaUpstream('ops');
    await flow.idTokenOf(first.browser, first.done, first.verifier);
    const user = (await h.users.findByEmail('ops@example.org'))!;
    expect((await h.roles.rolesOf(user.id)).map((r) => r.name).sort()).toEqual(['operator', 'user']);

    upstream.accounts.set('ops', {
      sub: 'up-ops',
      email: 'ops@example.org',
      email_verified: true,
      groups: [],
    });
    const again = await viaUpstream('ops');
    await flow.idTokenOf(again.browser, again.done, again.verifier);
    expect((await h.roles.rolesOf(user.id)).map((r) => r.name)).toEqual(['user']);
  });

  it('asks the second factor the MFA policy requires, unless the upstream amr satisfies it', async () => {
    upstream.accounts.set('mfa', { sub: 'up-mfa', email: 'mfa@example.org', email_verified: true });
    const first = await viaUpstream('mfa');
    await flow.idTokenOf(first.browser, first.done, first.verifier);
    const user = (await h.users.findByEmail('mfa@example.org'))!;
    await flow.mfa.repository.setEnrolmentRequired(user.id, true);

    const asked = await viaUpstream('mfa');
    expect(asked.done.leftTo).toBeUndefined();
    expect(asked.done.response.payload).toContain('two-step verification');

    upstream.accounts.set('mfa', {
      sub: 'up-mfa',
      email: 'mfa@example.org',
      email_verified: true,
      amr: ['hwk'],
    });
    const satisfied = await viaUpstream('mfa');
    const claims = await flow.idTokenOf(satisfied.browser, satisfied.done, satisfied.verifier);
    expect(claims).toMatchObject({ amr: ['fed', 'mfa'], acr: 'urn:platform:acr:mfa' });
  });

  it('refuses a disabled local account, an address outside the allowed domains, and JIT when off', async () => {
    upstream.accounts.set('outsider', { sub: 'up-out', email: 'out@elsewhere.test', email_verified: true });
    expect((await viaUpstream('outsider')).done.response.statusCode).toBe(403);
    expect(await h.users.findByEmail('out@elsewhere.test')).toBeUndefined();

    upstream.accounts.set('dis', { sub: 'up-dis', email: 'dis@example.org', email_verified: true });
    const first = await viaUpstream('dis');
    await flow.idTokenOf(first.browser, first.done, first.verifier);
    await h.users.disable((await h.users.findByEmail('dis@example.org'))!.id);
    const disabled = await viaUpstream('dis');
    expect(disabled.done.response.statusCode).toBe(403);
    expect(disabled.done.response.payload).toContain('disabled');

    await federation.providers.update(PROVIDER, { jitEnabled: false });
    upstream.accounts.set('late', { sub: 'up-late', email: 'late@example.org', email_verified: true });
    expect((await viaUpstream('late')).done.response.statusCode).toBe(403);
    await federation.providers.update(PROVIDER, { jitEnabled: true });
  });

  it('refuses a replayed or unknown state', async () => {
    upstream.accounts.set('replay', { sub: 'up-replay', email: 'replay@example.org', email_verified: true });
    const { back, browser } = await toCallback('replay');
    await browser.follow('GET', back);
    const replay = await browser.follow('GET', back);
    expect(replay.response.statusCode).toBe(400);
    const unknown = await browser.request(
      'GET',
      `/login/upstream/${PROVIDER}/callback?code=x&state=${'a'.repeat(43)}`,
    );
    expect(unknown.statusCode).toBe(400);
    expect((await browser.request('GET', '/login/upstream/%00bad/callback')).statusCode).toBe(404);
    expect((await browser.request('GET', `/login/upstream/${PROVIDER}/callback?state=%00`)).statusCode).toBe(
      400,
    );
  });

  it('a disabled provider loses its button and its callback is refused, even mid-flow', async () => {
    upstream.accounts.set('mid', { sub: 'up-mid', email: 'mid@example.org', email_verified: true });
    const { start, back, browser } = await toCallback('mid');
    await federation.providers.update(PROVIDER, { enabled: false });
    try {
      const refused = await browser.follow('GET', back);
      expect(refused.leftTo).toBeUndefined();
      expect(refused.response.statusCode).toBe(404);
      expect(await h.users.findByEmail('mid@example.org')).toBeUndefined();
      const { step: again } = await flow.authorize(new InjectBrowser(h.app));
      expect(again.response.payload).not.toContain('Sign in with Upstream Test');
      expect((await browser.request('GET', start)).statusCode).toBe(404);
    } finally {
      await federation.providers.update(PROVIDER, { enabled: true });
    }
  });

  it('links the upstream sign-in to the signed-in account, returning to the account console only', async () => {
    const user = await h.createUser('linker', []);
    const browser = new InjectBrowser(h.app);
    const { step, verifier } = await flow.authorize(browser);
    await flow.idTokenOf(browser, await flow.password(browser, step, 'linker'), verifier);
    const linkUrl = (returnTo: string) =>
      `/login/upstream/${PROVIDER}/link?return_to=${encodeURIComponent(returnTo)}`;

    expect((await browser.request('GET', linkUrl('https://evil.example/account'))).statusCode).toBe(400);
    expect(
      (await new InjectBrowser(h.app).request('GET', linkUrl(`${PUBLIC_URL}/account/linked`))).statusCode,
    ).toBe(401);

    upstream.accounts.set('linker', { sub: 'up-linker', email: 'someone@else.test', email_verified: false });
    upstream.nextLogin = 'linker';
    const started = await browser.request('GET', linkUrl(`${PUBLIC_URL}/account/linked`));
    expect(started.statusCode).toBe(303);
    const back = await upstreamLeg(new URL(started.headers.location as string));
    // Another browser (no binding cookie, no session) cannot finish it.
    const stranger = await new InjectBrowser(h.app).request('GET', back);
    expect(stranger.statusCode).toBe(400);
    expect(await federation.identities.find(PROVIDER, 'up-linker')).toBeUndefined();

    const again = await browser.request('GET', linkUrl(`${PUBLIC_URL}/account/linked`));
    const done = await browser.request('GET', await upstreamLeg(new URL(again.headers.location as string)));
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`${PUBLIC_URL}/account/linked`);
    expect(await federation.identities.find(PROVIDER, 'up-linker')).toMatchObject({ userId: user.id });
    expect((await h.auditOf('upstream.linked'))[0]).toMatchObject({ actorId: user.id });

    // A sign-in older than ACCOUNT_REAUTH_SECONDS (300 s) is sent to sign in again first, back to the page.
    const later = Date.now() + 301_000;
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => later);
    try {
      const stale = await browser.request('GET', linkUrl(`${PUBLIC_URL}/account/linked?tab=1`));
      expect(stale.statusCode).toBe(303);
      expect(stale.headers.location).toBe(
        `${PUBLIC_URL}/account/auth/login?reauth=1&returnTo=${encodeURIComponent('/linked?tab=1')}`,
      );
    } finally {
      clock.mockRestore();
    }

    // From now on the upstream signs this account in.
    const signIn = await viaUpstream('linker');
    expect((await flow.idTokenOf(signIn.browser, signIn.done, signIn.verifier)).sub).toBe(user.id);
  });

  it('signs in through a plain OAuth 2.0 provider: explicit endpoints and its user-info response', async () => {
    await federation.providers.create({
      id: 'plain-oauth2',
      displayName: 'Plain OAuth',
      kind: 'oauth2',
      issuer: null,
      authorizationEndpoint: `${upstream.issuer}/auth`,
      tokenEndpoint: `${upstream.issuer}/token`,
      userinfoEndpoint: `${upstream.issuer}/me`,
      clientId: upstream.clientId,
      clientSecret: upstream.clientSecret,
      scopes: ['openid', 'email'],
      claimMapping: {
        subject: 'sub',
        email: 'email',
        email_verified: 'email_verified',
        name: null,
        groups: null,
      },
      groupRoles: {},
      jitEnabled: true,
      defaultRoles: [],
      allowedEmailDomains: [],
      linkByVerifiedEmail: false,
      mfaSatisfiedBy: { amr: [], acr: [] },
      enabled: true,
    });
    try {
      upstream.accounts.set('plain', { sub: 'up-plain', email: 'plain@example.net', email_verified: true });
      upstream.nextLogin = 'plain';
      const browser = new InjectBrowser(h.app);
      const { step, verifier } = await flow.authorize(browser);
      const href = /href="(\/login\/upstream\/plain-oauth2[^"]+)"/.exec(step.response.payload)![1]!;
      const started = await browser.follow('GET', href.replaceAll('&amp;', '&'));
      const done = await browser.follow('GET', await upstreamLeg(started.leftTo!));
      const claims = await flow.idTokenOf(browser, done, verifier);
      const user = await h.users.findByEmail('plain@example.net');
      expect(claims).toMatchObject({ sub: user!.id, amr: ['fed'] });
      expect(await federation.identities.find('plain-oauth2', 'up-plain')).toMatchObject({
        userId: user!.id,
      });
    } finally {
      await federation.providers.remove('plain-oauth2');
    }
  });
});
