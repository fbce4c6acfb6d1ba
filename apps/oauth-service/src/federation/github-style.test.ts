import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AdminHarness, InjectBrowser, PUBLIC_URL, startAdminHarness } from '../admin/test-support.ts';
import { createSecretBox } from '../crypto/secret-box.ts';
import { signInFlow } from '../mfa/sign-in-test-support.ts';
import { createFederationRepositories } from './repositories.ts';

// A GitHub-style OAuth 2.0 upstream (no ID token; `/user` without a verified address, `/user/emails` with
// it): the primary address and GitHub's `verified` decide whether an existing account links by email.

const PROVIDER = 'gh';

/** GitHub's shape: authorize answers at once, the token is opaque, the user has a numeric id. */
function fakeGitHub(emails: () => unknown) {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (body: unknown) =>
      res.setHeader('content-type', 'application/json').end(JSON.stringify(body));
    if (url.pathname === '/login/oauth/authorize') {
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', 'gh-code');
      back.searchParams.set('state', url.searchParams.get('state')!);
      res.statusCode = 302;
      return res.setHeader('location', back.href).end();
    }
    if (url.pathname === '/login/oauth/access_token')
      return json({ access_token: 'gh-token', token_type: 'bearer', scope: 'read:user,user:email' });
    if (req.headers.authorization !== 'Bearer gh-token') {
      res.statusCode = 401;
      return res.end();
    }
    if (url.pathname === '/user') return json({ id: 4242, login: 'octo', name: 'Octo Cat', email: null });
    if (url.pathname === '/user/emails') return json(emails());
    res.statusCode = 404;
    res.end();
  });
  return server;
}

describeEachDialect('sign-in through a GitHub-style OAuth 2.0 upstream', (temp) => {
  let h: AdminHarness;
  let server: Server;
  let verified = false;

  beforeAll(async () => {
    h = await startAdminHarness(temp().url);
    server = fakeGitHub(() => [
      { email: 'octo@users.example', primary: false, verified: true },
      { email: 'octo@example.org', primary: true, verified },
    ]);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const federation = createFederationRepositories(h.db, createSecretBox(h.config.ENCRYPTION_KEY));
    await federation.providers.create({
      id: PROVIDER,
      displayName: 'GitHub',
      kind: 'oauth2',
      issuer: null,
      authorizationEndpoint: `${origin}/login/oauth/authorize`,
      tokenEndpoint: `${origin}/login/oauth/access_token`,
      userinfoEndpoint: `${origin}/user`,
      clientId: 'gh-client',
      clientSecret: 'gh-secret',
      scopes: ['read:user', 'user:email'],
      claimMapping: { subject: 'id', email: 'email', email_verified: null, name: 'name', groups: null },
      groupRoles: {},
      jitEnabled: false,
      defaultRoles: [],
      allowedEmailDomains: [],
      linkByVerifiedEmail: true,
      mfaSatisfiedBy: { amr: [], acr: [] },
      enabled: true,
    });
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await h?.close();
  });

  async function viaGitHub() {
    const flow = signInFlow(h);
    const browser = new InjectBrowser(h.app);
    const { step, verifier } = await flow.authorize(browser);
    const href = /href="(\/login\/upstream\/gh[^"]+)"/
      .exec(step.response.payload)![1]!
      .replaceAll('&amp;', '&');
    const started = await browser.follow('GET', href);
    const upstream = await fetch(started.leftTo!, { redirect: 'manual' });
    const back = upstream.headers.get('location')!;
    expect(back.startsWith(`${PUBLIC_URL}/login/upstream/${PROVIDER}/callback?`)).toBe(true);
    return { flow, browser, verifier, done: await browser.follow('GET', back) };
  }

  it("links by the primary address only once GitHub's /user/emails says it is verified", async () => {
    const user = await h.createUser('octo', []);
    await h.users.updateProfile(user.id, { email: 'octo@example.org' });

    const unverified = await viaGitHub();
    expect(unverified.done.response.statusCode).toBe(403);
    expect(unverified.done.response.payload).toContain('Sign in with your password, then link');

    verified = true;
    const { flow, browser, verifier, done } = await viaGitHub();
    const claims = await flow.idTokenOf(browser, done, verifier);
    expect(claims).toMatchObject({ sub: user.id, amr: ['fed'] });
    const federation = createFederationRepositories(h.db, createSecretBox(h.config.ENCRYPTION_KEY));
    expect(await federation.identities.find(PROVIDER, '4242')).toMatchObject({ userId: user.id });
  });
});
