import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
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
    upstream = await startTestUpstream(CALLBACK);
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
      claimMapping: { subject: 'sub', email: 'email', email_verified: 'email_verified', name: 'name', groups: 'groups' },
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
  async function viaUpstream(login: string, browser = new InjectBrowser(h.app)) {
    upstream.nextLogin = login;
    const { step, verifier } = await flow.authorize(browser);
    const page = step.response.payload;
    const href = /href="(\/login\/upstream\/[^"]+)"/.exec(page)?.[1]?.replaceAll('&amp;', '&');
    expect(page).toContain('Sign in with Upstream Test');
    const started = await browser.follow('GET', href!);
    expect(started.leftTo?.origin).toBe(upstream.issuer);
    const back = await upstreamLeg(started.leftTo!);
    return { done: await browser.follow('GET', back), browser, verifier };
  }

  it('provisions a new account just in time; the client gets an ID token for it', async () => {
    upstream.accounts.set('ada', { sub: 'up-ada', email: 'ada@example.org', email_verified: true, name: 'Ada L' });
    const { done, browser, verifier } = await viaUpstream('ada');
    const claims = await flow.idTokenOf(browser, done, verifier);
    const user = await h.users.findByEmail('ada@example.org');
    expect(user).toMatchObject({ username: 'ada', displayName: 'Ada L', emailVerified: true });
    expect(claims).toMatchObject({ sub: user!.id, amr: ['fed'] });
    expect((await h.roles.rolesOf(user!.id)).map((r) => r.name)).toEqual(['user']);
    expect(await federation.identities.find(PROVIDER, 'up-ada')).toMatchObject({ userId: user!.id });
    expect((await h.auditOf('upstream.provisioned'))[0]).toMatchObject({ actorId: user!.id });
  });
});
