// Break-glass: an administrator locked out by wrong passwords is brought back by an operator with shell access
// to the database (`pnpm admin:recover <login>`): unlocked, enabled, given a one-time password that must be
// changed at the next sign-in, and the recovery is in the audit log.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeEachDialect } from '@platform/db/testing';
import * as client from 'openid-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Json, json } from '../json.ts';
import { Browser, formAction, hiddenField } from '../oauth/browser.ts';
import {
  ADMIN,
  type OAuthServer,
  PORTAL_REDIRECT,
  portalConfig,
  startOAuthServer,
} from '../oauth/harness.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const NEW_PASSWORD = 'recovered-and-changed-4711';

describeEachDialect('break-glass recovery of a locked administrator', (temp) => {
  let server: OAuthServer;
  let portal: client.Configuration;

  /** `pnpm admin:recover <args>` as the root script runs it, against this test's database. */
  function recover(...args: string[]) {
    return spawnSync(process.execPath, ['scripts/admin-recover.ts', ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...server.env,
        OAUTH_SERVICE_DATABASE_URL: temp().url,
      },
      encoding: 'utf8',
    });
  }

  /** Starts an authorization for the admin API and returns the browser on the sign-in page. */
  async function signInPage() {
    const url = client.buildAuthorizationUrl(portal, {
      redirect_uri: PORTAL_REDIRECT,
      scope: 'openid admin:read',
      code_challenge: await client.calculatePKCECodeChallenge('r'.repeat(43)),
      code_challenge_method: 'S256',
      state: 'recover',
      resource: `${server.issuer}/api/admin`,
    });
    const browser = new Browser();
    const { page } = await browser.follow(url.toString(), server.issuer);
    return { browser, page };
  }

  async function submitLogin(password: string) {
    const { browser, page } = await signInPage();
    const next = await browser.follow(formAction(page.body, page.url, '/login'), server.issuer, {
      form: { csrf: hiddenField(page.body, 'csrf'), login: ADMIN.login, password },
    });
    return { browser, ...next };
  }

  beforeAll(async () => {
    server = await startOAuthServer(temp().url);
    portal = await portalConfig(server);
  });
  afterAll(() => server?.stop());

  it('is a root script', () => {
    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts;
    expect(scripts['admin:recover']).toBe('node scripts/admin-recover.ts');
  });

  it('refuses a missing or unknown login, changing nothing', () => {
    const usage = recover();
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/usage: .*admin:recover <login>/);
    const unknown = recover('nobody-here');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no user with the login "nobody-here"/);
  });

  it('unlocks a locked admin with a printed one-time password that must be changed', async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) await submitLogin('wrong-password-000000');
    const locked = await submitLogin(ADMIN.password);
    expect(locked.page.body).toContain('This account is locked');

    const result = recover(ADMIN.login, '--operator', 'ops-on-call');
    expect(result.status, result.stderr).toBe(0);
    const oneTime = /one-time password \(shown once[^)]*\): (\S+)/.exec(result.stdout)?.[1];
    expect(oneTime, result.stdout).toBeDefined();

    // The old password is gone; the one-time one leads to the forced change.
    expect((await submitLogin(ADMIN.password)).page.body).toContain('incorrect');
    const { browser, page } = await submitLogin(oneTime!);
    expect(page.body).toContain('/password"');
    let next = await browser.follow(formAction(page.body, page.url, '/password'), server.issuer, {
      form: {
        csrf: hiddenField(page.body, 'csrf'),
        login: ADMIN.login,
        current: oneTime!,
        password: NEW_PASSWORD,
        confirm: NEW_PASSWORD,
      },
    });
    if (!next.leftTo && next.page.body.includes('/confirm"')) {
      next = await browser.follow(formAction(next.page.body, next.page.url, '/confirm'), server.issuer, {
        form: { csrf: hiddenField(next.page.body, 'csrf') },
      });
    }
    expect(next.leftTo, next.page.body.slice(0, 500)).toContain(PORTAL_REDIRECT);
    const tokens = await client.authorizationCodeGrant(portal, new URL(next.leftTo!), {
      pkceCodeVerifier: 'r'.repeat(43),
      expectedState: 'recover',
    });

    // The one-time password was used up by the change.
    expect((await submitLogin(oneTime!)).page.body).toContain('incorrect');

    const audit = await json(
      fetch(`${server.issuer}/api/admin/audit?action=user.recover`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      }),
    );
    const row = audit.items.find((item: Json) => item.action === 'user.recover');
    expect(row).toMatchObject({ actor_type: 'system', outcome: 'success', target_type: 'user' });
    expect(row.actor_name).toContain('ops-on-call');
    expect(row.details).toMatchObject({ username: ADMIN.login, was_locked: true });
    expect(JSON.stringify(row)).not.toContain(oneTime!);
  });
});
