import { describe, expect, it } from 'vitest';
import { createJwksFetch } from './jwks-fetch.ts';
import { JwksFetchError } from './token-error.ts';

const init = {
  headers: new Headers(),
  method: 'GET',
  redirect: 'manual',
  signal: new AbortController().signal,
} as const;
const KEY_SET = JSON.stringify({ keys: [{ kty: 'EC', kid: 'k1' }] });

function fakeFetch(answers: Array<Response | Error>) {
  let calls = 0;
  const fetch = (async () => {
    const answer = answers[Math.min(calls, answers.length - 1)]!;
    calls += 1;
    if (answer instanceof Error) throw answer;
    return answer.clone();
  }) as typeof globalThis.fetch;
  return { fetch, calls: () => calls };
}

describe('createJwksFetch', () => {
  it('passes a 200 key set through', async () => {
    const fake = fakeFetch([new Response(KEY_SET)]);
    const jwksFetch = createJwksFetch({ failureBackoffMs: 1_000, fetch: fake.fetch });
    const response = await jwksFetch('http://issuer/jwks', init);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(JSON.parse(KEY_SET));
  });

  it.each([
    ['a non-200 status', new Response('down', { status: 503 }), /HTTP 503/],
    [
      'a redirect',
      new Response(null, { status: 302, headers: { location: 'http://evil/jwks' } }),
      /HTTP 302/,
    ],
    ['a body that is not JSON', new Response('<html>'), /not JSON/],
    ['JSON that is not a key set', new Response('{"keys":"nope"}'), /"keys" array/],
    ['a network failure', new TypeError('fetch failed'), /request failed: fetch failed/],
  ])('turns %s into a JwksFetchError', async (_name, answer, message) => {
    const jwksFetch = createJwksFetch({ failureBackoffMs: 0, fetch: fakeFetch([answer]).fetch });
    const attempt = jwksFetch('http://issuer/jwks', init);
    await expect(attempt).rejects.toBeInstanceOf(JwksFetchError);
    await expect(attempt).rejects.toThrow(message);
  });

  it('after a failure, fails fast without a request until the backoff has passed', async () => {
    let clock = 10_000;
    const fake = fakeFetch([new TypeError('fetch failed'), new Response(KEY_SET)]);
    const jwksFetch = createJwksFetch({ failureBackoffMs: 1_000, fetch: fake.fetch, now: () => clock });

    await expect(jwksFetch('http://issuer/jwks', init)).rejects.toThrow(/request failed/);
    for (let i = 0; i < 20; i += 1) {
      await expect(jwksFetch('http://issuer/jwks', init)).rejects.toThrow(/not requested/);
    }
    clock += 999;
    await expect(jwksFetch('http://issuer/jwks', init)).rejects.toThrow(/not requested/);
    expect(fake.calls()).toBe(1);

    clock += 1;
    await expect(jwksFetch('http://issuer/jwks', init)).resolves.toBeInstanceOf(Response);
    expect(fake.calls()).toBe(2);
  });

  it('does not back off after a success', async () => {
    const fake = fakeFetch([new Response(KEY_SET)]);
    const jwksFetch = createJwksFetch({ failureBackoffMs: 60_000, fetch: fake.fetch });
    await jwksFetch('http://issuer/jwks', init);
    await jwksFetch('http://issuer/jwks', init);
    expect(fake.calls()).toBe(2);
  });
});
