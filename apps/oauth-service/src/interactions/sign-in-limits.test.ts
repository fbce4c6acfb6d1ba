import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AdminHarness, InjectBrowser, PASSWORD, startAdminHarness } from '../admin/test-support.ts';

// The per-address sign-in limit keys on the client's own address (request.ip): a flood from one address
// is refused there, and every other address keeps signing in.

describeEachDialect('sign-in limits per client address', (temp) => {
  let harness: AdminHarness;
  beforeAll(async () => {
    harness = await startAdminHarness(temp().url, { env: { LOGIN_IP_LIMIT_PER_MINUTE: '5' } });
    await harness.createUser('dave');
  });
  afterAll(() => harness?.close());

  /** Posts one sign-in from `address`; returns the response to the login form. */
  async function signInFrom(address: string, login: string, password: string) {
    return harness.postSignIn(new InjectBrowser(harness.app, address), login, password);
  }

  it('refuses a flooding address with 429 while another address signs in', async () => {
    for (let i = 0; i < 5; i += 1) {
      const response = await signInFrom('127.0.0.2', `nobody${i}`, 'wrong-password-123');
      expect(response.statusCode).toBe(200);
    }
    const flooded = await signInFrom('127.0.0.2', 'dave', PASSWORD);
    expect(flooded.statusCode).toBe(429);
    expect(flooded.payload).toContain('Too many sign-in attempts from your network');

    const other = await signInFrom('127.0.0.3', 'dave', PASSWORD);
    // Signed in: the provider moves on (a redirect to consent or back to the client), no error page.
    expect(other.statusCode).toBe(303);
  });
});
