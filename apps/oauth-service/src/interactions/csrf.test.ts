import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import { expect, it } from 'vitest';
import { createCsrf } from './csrf.ts';

// Behind the gateway the service is reached over plain http while browsers use https: the cookie's Secure
// flag follows the public URL, not the hop the service sees.
async function csrfCookie(options: { secure: boolean }, headers: Record<string, string> = {}) {
  const app = Fastify();
  await app.register(cookie);
  const csrf = createCsrf('test-cookie-secret-0123456789', options);
  app.get('/interaction/:uid', async (request, reply) => csrf.issue(request, reply, 'uid'));
  const response = await app.inject({ method: 'GET', url: '/interaction/abc', headers });
  await app.close();
  return String(response.headers['set-cookie']);
}

it('marks the oauth_csrf cookie Secure when the public URL is https, though the request came over http', async () => {
  const header = await csrfCookie({ secure: true });
  expect(header).toMatch(/^oauth_csrf=/);
  expect(header).toMatch(/; Secure/);
  expect(header).toMatch(/HttpOnly/);
});

it('leaves it without Secure for a plain-http deployment (local development)', async () => {
  expect(await csrfCookie({ secure: false })).not.toMatch(/; Secure/);
});
