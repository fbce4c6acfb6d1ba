import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actingForBrowser, browserForwardingHeaders } from './forwarded.ts';
import { createOidcConfiguration } from './oidc.ts';

// A console's refresh is the browser's doing: the token request the console's server makes carries the
// browser's address and User-Agent as forwarding headers, so oauth-service's audit log names the browser.

const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0';

describe("a console's token requests", () => {
  const seen: IncomingHttpHeaders[] = [];
  let base = '';
  const server = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    if (request.url === '/.well-known/openid-configuration') {
      response.end(
        JSON.stringify({ issuer: 'http://localhost:8080', token_endpoint: `${base}/oauth/token` }),
      );
      return;
    }
    seen.push(request.headers);
    request.resume();
    request.on('end', () =>
      response.end(JSON.stringify({ access_token: 'a', token_type: 'Bearer', expires_in: 60 })),
    );
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const configuration = createOidcConfiguration(
    () => ({
      issuer: 'http://localhost:8080',
      internalOAuthUrl: base,
      clientId: 'console',
      clientSecret: 'console-secret',
    }),
    browserForwardingHeaders,
  );

  it('forward the browser they act for', async () => {
    const browser = new Headers({ 'user-agent': BROWSER_UA, 'x-forwarded-for': '198.51.100.7' });
    await actingForBrowser(browser, async () =>
      oidc.refreshTokenGrant(await configuration(), 'refresh-token'),
    );
    expect(seen.at(-1)).toMatchObject({
      'x-forwarded-for': '198.51.100.7',
      'x-forwarded-user-agent': BROWSER_UA,
    });
  });

  it('forward nothing outside a request (nobody to name)', async () => {
    await oidc.refreshTokenGrant(await configuration(), 'refresh-token');
    expect(seen.at(-1)?.['x-forwarded-for']).toBeUndefined();
    expect(seen.at(-1)?.['x-forwarded-user-agent']).toBeUndefined();
  });
});
