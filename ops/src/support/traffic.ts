import { httpsRequest } from './https.ts';
import { missingApp, type Platform } from './platform.ts';

// Traffic through the running platform's gateway, so that every metric the monitoring tests look for
// has samples.

/** Traffic through the gateway: a client_credentials token, then authorised and refused test-service calls. */
export async function driveTraffic(platform: Platform): Promise<void> {
  const { gatewayUrl, gatewayCa: ca, issuer, machineSecret } = platform;
  const basic = Buffer.from(`flow-service:${machineSecret}`).toString('base64');
  const token = await httpsRequest(`${gatewayUrl}/oauth/token`, {
    ca,
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'test:read',
      resource: `${issuer}/test`,
    }).toString(),
  });
  if (token.status !== 200) throw new Error(`token request failed: ${token.status} ${token.body}`);
  const accessToken = (JSON.parse(token.body) as { access_token: string }).access_token;
  const echo = await httpsRequest(`${gatewayUrl}/test/api/v1/echo`, {
    ca,
    headers: { authorization: `Bearer ${accessToken}` },
  });
  if (echo.status !== 200) throw new Error(`echo through the gateway failed: ${echo.status} ${echo.body}`);
  const refused = await httpsRequest(`${gatewayUrl}/test/api/v1/echo`, { ca });
  if (refused.status !== 401) throw new Error(`echo without a token answered ${refused.status}`);
  // A wrong client secret: a token-endpoint error (oauth_grant_errors_total).
  const wrong = Buffer.from('flow-service:not-the-secret').toString('base64');
  const denied = await httpsRequest(`${gatewayUrl}/oauth/token`, {
    ca,
    method: 'POST',
    headers: { authorization: `Basic ${wrong}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'test:read' }).toString(),
  });
  if (denied.status !== 401)
    throw new Error(`a wrong client secret answered ${denied.status} ${denied.body}`);
  // A token without a resource is opaque, so it can be revoked (oauth_revocations_total).
  const opaque = await httpsRequest(`${gatewayUrl}/oauth/token`, {
    ca,
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'test:read' }).toString(),
  });
  const revoked = await httpsRequest(`${gatewayUrl}/oauth/revoke`, {
    ca,
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      token: (JSON.parse(opaque.body) as { access_token: string }).access_token,
    }).toString(),
  });
  if (revoked.status !== 200) throw new Error(`revocation answered ${revoked.status} ${revoked.body}`);
  // A workflow run when flow-service runs: runs started and completed, step durations, queue depth.
  if (!missingApp('flow-service')) await driveFlowRun(platform);
}

/** Creates a one-step no-op definition and runs it to completion through the gateway. */
async function driveFlowRun(platform: Platform): Promise<void> {
  const { gatewayUrl, gatewayCa: ca, issuer, flowDriver } = platform;
  const basic = Buffer.from(`${flowDriver.clientId}:${flowDriver.secret}`).toString('base64');
  const token = await httpsRequest(`${gatewayUrl}/oauth/token`, {
    ca,
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'flow:read flow:write flow:run',
      resource: `${issuer}/flow`,
    }).toString(),
  });
  if (token.status !== 200) throw new Error(`flow token request failed: ${token.status} ${token.body}`);
  const authorization = `Bearer ${(JSON.parse(token.body) as { access_token: string }).access_token}`;
  const created = await httpsRequest(`${gatewayUrl}/flow/api/v1/definitions`, {
    ca,
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'ops-metrics', name: 'ops metrics', steps: [{ id: 'only', type: 'noop' }] }),
  });
  if (created.status !== 201) throw new Error(`definition not created: ${created.status} ${created.body}`);
  const started = await httpsRequest(`${gatewayUrl}/flow/api/v1/definitions/ops-metrics/runs`, {
    ca,
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json', 'idempotency-key': `ops-${Date.now()}` },
    body: JSON.stringify({ input: {} }),
  });
  if (started.status !== 201 && started.status !== 202)
    throw new Error(`run not started: ${started.status} ${started.body}`);
  const run = JSON.parse(started.body) as { id: string };
  for (let i = 0; i < 100; i += 1) {
    const state = await httpsRequest(`${gatewayUrl}/flow/api/v1/runs/${run.id}`, {
      ca,
      headers: { authorization },
    });
    if ((JSON.parse(state.body) as { state?: string }).state === 'succeeded') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the ops workflow run ${run.id} did not succeed`);
}
