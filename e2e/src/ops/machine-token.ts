/**
 * One client_credentials request of the seeded flow-service machine client (test:read, for `origin`/test) at
 * `origin`/oauth/token: undefined when it got a token, else what went wrong, ready for a failure list.
 */
export async function requestMachineToken(origin: string, secret: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${origin}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`flow-service:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        resource: `${origin}/test`,
        scope: 'test:read',
      }).toString(),
    });
    const text = await response.text();
    if (response.status === 200 && (JSON.parse(text) as { access_token?: string }).access_token)
      return undefined;
    return `${response.status} ${text}`;
  } catch (error) {
    return String(error);
  }
}
