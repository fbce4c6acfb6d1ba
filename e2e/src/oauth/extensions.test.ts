// DPoP (RFC 9449), PAR (RFC 9126) and the device flow (RFC 8628) through openid-client, on both dialects.
import { describeEachDialect } from '@platform/db/testing';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Browser, formAction, hiddenField, providerForm } from './browser.ts';
import {
  ADMIN,
  authorize,
  discover,
  type OAuthServer,
  PORTAL_REDIRECT,
  portalConfig,
  startOAuthServer,
} from './harness.ts';
import { oauthError } from './oauth-error.ts';

describeEachDialect('oauth-service extensions', (temp) => {
  let server: OAuthServer;
  let cli: client.Configuration;

  beforeAll(async () => {
    server = await startOAuthServer(temp().url);
    cli = await discover(server, 'platform-cli', client.None());
  });
  afterAll(() => server?.stop());

  it('binds tokens to a DPoP key for the public client, on any loopback port', async () => {
    const DPoP = client.getDPoPHandle(cli, await client.randomDPoPKeyPair('ES256'));
    const verifier = client.randomPKCECodeVerifier();
    const redirect = 'http://127.0.0.1:43917/callback';
    const url = client.buildAuthorizationUrl(cli, {
      redirect_uri: redirect,
      scope: 'openid test:read',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'd1',
      resource: `${server.issuer}/test`,
    });
    const { callback } = await authorize(server, url);
    expect(callback.origin + callback.pathname).toBe(redirect);
    const tokens = await client.authorizationCodeGrant(
      cli,
      callback,
      { pkceCodeVerifier: verifier, expectedState: 'd1' },
      undefined,
      { DPoP },
    );
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    expect((decodeJwt(tokens.access_token).cnf as { jkt?: string }).jkt).toBeTruthy();

    // Without a proof the same client is refused: it is registered as DPoP-bound.
    const plainVerifier = client.randomPKCECodeVerifier();
    const plain = await authorize(
      server,
      client.buildAuthorizationUrl(cli, {
        redirect_uri: redirect,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(plainVerifier),
        code_challenge_method: 'S256',
        state: 'd2',
      }),
    );
    const refused = await client
      .authorizationCodeGrant(cli, plain.callback, { pkceCodeVerifier: plainVerifier, expectedState: 'd2' })
      .catch((e: unknown) => e);
    expect(oauthError(refused)).toBe('invalid_grant');
  });

  it('accepts a pushed authorization request and completes the flow from its request_uri', async () => {
    const portal = await portalConfig(server);
    const verifier = client.randomPKCECodeVerifier();
    const url = await client.buildAuthorizationUrlWithPAR(portal, {
      redirect_uri: PORTAL_REDIRECT,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'p1',
    });
    expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect(url.searchParams.get('code_challenge')).toBeNull();
    const { callback } = await authorize(server, url);
    const tokens = await client.authorizationCodeGrant(portal, callback, {
      pkceCodeVerifier: verifier,
      expectedState: 'p1',
    });
    expect(tokens.claims()?.sub).toBeTruthy();
  });

  it('runs the device flow: code on the device, sign-in and consent in a browser, tokens by polling', async () => {
    const DPoP = client.getDPoPHandle(cli, await client.randomDPoPKeyPair('ES256'));
    const device = await client.initiateDeviceAuthorization(cli, {
      scope: 'openid test:read',
      resource: `${server.issuer}/test`,
    });
    expect(device.user_code).toBeTruthy();

    const browser = new Browser();
    let page = (await browser.follow(device.verification_uri_complete!, server.issuer)).page;
    // The complete URI lands on a page that posts the code on (a button when JavaScript is off).
    const submit = providerForm(page.body, null, page.url);
    page = (await browser.follow(submit.action, server.issuer, { form: submit.fields })).page;
    const confirm = providerForm(page.body, 'op.deviceConfirmForm', page.url);
    let step = await browser.follow(confirm.action, server.issuer, { form: confirm.fields });
    page = step.page;
    page = (
      await browser.follow(formAction(page.body, page.url, '/login'), server.issuer, {
        form: { csrf: hiddenField(page.body, 'csrf'), ...ADMIN },
      })
    ).page;
    step = await browser.follow(formAction(page.body, page.url, '/confirm'), server.issuer, {
      form: { csrf: hiddenField(page.body, 'csrf') },
    });
    expect(step.page.body).toContain('Device connected');

    const tokens = await client.pollDeviceAuthorizationGrant(cli, { ...device, interval: 0 }, undefined, {
      DPoP,
    });
    expect(decodeJwt(tokens.access_token)).toMatchObject({
      aud: `${server.issuer}/test`,
      scope: 'test:read',
      client_id: 'platform-cli',
    });
  });
});
