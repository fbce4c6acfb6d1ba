// What OAuth 2.1 and RFC 9700 forbid, refused by oauth-service on both dialects.
import { describeEachDialect } from '@platform/db/testing';
import * as client from 'openid-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Browser, formAction, hiddenField } from './browser.ts';
import {
  authorize,
  type OAuthServer,
  PORTAL_REDIRECT,
  portalAuthorizationUrl,
  portalConfig,
  startOAuthServer,
} from './harness.ts';
import { oauthError } from './oauth-error.ts';

describeEachDialect('oauth-service refuses', (temp) => {
  let server: OAuthServer;
  let portal: client.Configuration;

  beforeAll(async () => {
    server = await startOAuthServer(temp().url);
    portal = await portalConfig(server);
  });
  afterAll(() => server?.stop());

  const authUrl = (params: Record<string, string>) => {
    const url = new URL(portal.serverMetadata().authorization_endpoint!);
    for (const [k, v] of Object.entries({
      client_id: 'admin-portal',
      response_type: 'code',
      redirect_uri: PORTAL_REDIRECT,
      scope: 'openid',
      state: 's1',
      ...params,
    })) {
      if (v !== '') url.searchParams.set(k, v);
    }
    return url;
  };

  /** The error an authorization request is answered with, via redirect to the client. */
  async function redirectError(params: Record<string, string>) {
    const res = await new Browser().request(authUrl(params).toString());
    expect(res.status).toBeGreaterThanOrEqual(300);
    expect(res.status).toBeLessThan(400);
    const location = new URL(res.location!);
    expect(`${location.origin}${location.pathname}`).toBe(PORTAL_REDIRECT);
    // Errors come in the query, or in the fragment for response types whose default mode is fragment.
    const answer = location.searchParams.has('error')
      ? location.searchParams
      : new URLSearchParams(location.hash.slice(1));
    expect(answer.get('iss')).toBe(server.issuer);
    return answer.get('error');
  }

  it('an authorization request without PKCE', async () => {
    expect(await redirectError({})).toBe('invalid_request');
  });

  it('plain PKCE', async () => {
    expect(await redirectError({ code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' })).toBe(
      'invalid_request',
    );
  });

  it('response_type=token (no implicit grant)', async () => {
    expect(
      await redirectError({
        response_type: 'token',
        code_challenge: 'a'.repeat(43),
        code_challenge_method: 'S256',
      }),
    ).toBe('unsupported_response_type');
  });

  it('a redirect_uri that is not registered exactly: an error page, never a redirect', async () => {
    for (const redirect of [
      `${PORTAL_REDIRECT}/extra`,
      'https://evil.example/cb',
      PORTAL_REDIRECT.replace('127.0.0.1', 'localhost'),
    ]) {
      const res = await new Browser().request(
        authUrl({
          redirect_uri: redirect,
          code_challenge: 'a'.repeat(43),
          code_challenge_method: 'S256',
        }).toString(),
      );
      expect(res.status).toBe(400);
      expect(res.location).toBeNull();
      expect(res.body).toContain('redirect_uri');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
  });

  it('an unknown client_id: an error page, never a redirect', async () => {
    const res = await new Browser().request(
      authUrl({
        client_id: 'nobody',
        code_challenge: 'a'.repeat(43),
        code_challenge_method: 'S256',
      }).toString(),
    );
    expect(res.status).toBe(400);
    expect(res.location).toBeNull();
  });

  it('grant_type=password', async () => {
    const error = await client
      .genericGrantRequest(portal, 'password', { username: 'admin', password: 'x' })
      .catch((e: unknown) => e);
    expect(oauthError(error)).toBe('unsupported_grant_type');
  });

  it('a wrong code_verifier, and a code_verifier for a code issued without a challenge cannot exist', async () => {
    const { url } = await portalAuthorizationUrl(portal, { state: 'st' });
    const { callback } = await authorize(server, url);
    const wrong = await client
      .authorizationCodeGrant(portal, callback, {
        pkceCodeVerifier: client.randomPKCECodeVerifier(),
        expectedState: 'st',
      })
      .catch((e: unknown) => e);
    expect(oauthError(wrong)).toBe('invalid_grant');
  });

  it('a replayed code, and the tokens first issued from it are revoked', async () => {
    const { url, verifier } = await portalAuthorizationUrl(portal, {
      scope: 'openid offline_access',
      prompt: 'consent',
      state: 'st',
    });
    const { callback } = await authorize(server, url);
    const first = await client.authorizationCodeGrant(portal, callback, {
      pkceCodeVerifier: verifier,
      expectedState: 'st',
    });
    expect((await client.tokenIntrospection(portal, first.access_token)).active).toBe(true);
    const replay = await client
      .authorizationCodeGrant(portal, callback, { pkceCodeVerifier: verifier, expectedState: 'st' })
      .catch((e: unknown) => e);
    expect(oauthError(replay)).toBe('invalid_grant');
    expect((await client.tokenIntrospection(portal, first.access_token)).active).toBe(false);
    expect((await client.tokenIntrospection(portal, first.refresh_token!)).active).toBe(false);
    const metrics = await (await fetch(`${server.service.url}/metrics`)).text();
    expect(metrics).toMatch(/^oauth_authorization_code_replay_total [1-9]/m);
  });

  it('sign-in after too many failures: the account locks, even the right password is refused', async () => {
    const url = authUrl({ code_challenge: 'a'.repeat(43), code_challenge_method: 'S256' });
    const browser = new Browser();
    let { page } = await browser.follow(url.toString(), server.issuer);
    const attempt = async (password: string) => {
      ({ page } = await browser.follow(formAction(page.body, page.url, '/login'), server.issuer, {
        form: { csrf: hiddenField(page.body, 'csrf'), login: 'admin', password },
      }));
      return page;
    };
    const unknownUser = await browser.request(formAction(page.body, page.url, '/login'), {
      form: { csrf: hiddenField(page.body, 'csrf'), login: 'nobody-here', password: 'whatever-password' },
    });
    expect(unknownUser.body).toContain('The username or password is incorrect.');
    expect((await attempt('wrong-password-1')).body).toContain('The username or password is incorrect.');
    await attempt('wrong-password-2');
    expect((await attempt('wrong-password-3')).body).toContain('locked');
    const right = await attempt('e2e-correct-horse-battery-7');
    expect(right.body).toContain('locked');
    const metrics = await (await fetch(`${server.service.url}/api/metrics`)).text();
    expect(metrics).toMatch(/^oauth_login_attempts_total\{result="locked",factor="password"\} [1-9]/m);
    expect(metrics).toMatch(
      /^oauth_login_attempts_total\{result="invalid_credentials",factor="password"\} [1-9]/m,
    );
  });

  it('a sign-in form posted without its CSRF token', async () => {
    const browser = new Browser();
    const { page } = await browser.follow(
      authUrl({ code_challenge: 'a'.repeat(43), code_challenge_method: 'S256' }).toString(),
      server.issuer,
    );
    const res = await browser.request(formAction(page.body, page.url, '/login'), {
      form: { login: 'admin', password: 'x', csrf: 'forged' },
    });
    expect(res.status).toBe(403);
  });
});
