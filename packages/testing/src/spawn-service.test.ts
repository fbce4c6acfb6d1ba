import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.ts';
import { type SpawnedService, spawnService } from './spawn-service.ts';

const cwd = fileURLToPath(new URL('.', import.meta.url));
const entry = 'fixtures/fixture-service.ts';
const started: SpawnedService[] = [];

async function start(env: Record<string, string | undefined> = {}, extra: { readyPath?: string } = {}) {
  const service = await spawnService({ cwd, entry, env, timeoutMs: 10_000, ...extra });
  started.push(service);
  return service;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((service) => service.stop('SIGKILL')));
});

describe('spawnService', () => {
  it('starts the entry with PORT and the given env, and resolves once /health answers 200', async () => {
    const service = await start({ GREETING: 'hello', READY_AFTER_MS: '300' });
    expect(service.url).toBe(`http://127.0.0.1:${service.port}`);

    const response = await fetch(`${service.url}/env`);
    expect(await response.json()).toEqual({ greeting: 'hello', port: String(service.port) });
    expect(service.output()).toContain(`fixture listening on ${service.port}`);
  });

  it('stops with SIGTERM and reports how the process ended', async () => {
    const service = await start();
    await expect(service.stop()).resolves.toEqual({ code: 0, signal: null });
    expect(service.output()).toContain('SIGTERM received, closing');
    // Stopping again just repeats the result.
    await expect(service.stop()).resolves.toEqual({ code: 0, signal: null });
    await expect(fetch(`${service.url}/health`)).rejects.toThrow();
  });

  it('escalates to SIGKILL when the service ignores SIGTERM', async () => {
    const service = await start({ FIXTURE_MODE: 'ignore-sigterm' });
    await expect(service.stop('SIGTERM', 300)).resolves.toEqual({ code: null, signal: 'SIGKILL' });
    expect(service.output()).toContain('ignoring SIGTERM');
  });

  it('fails with the captured output when the service exits before becoming ready', async () => {
    const failure = spawnService({ cwd, entry, env: { FIXTURE_MODE: 'crash' }, timeoutMs: 10_000 });
    await expect(failure).rejects.toThrow(
      /exited \(code 3, signal null\)[\s\S]*fatal: DATABASE_URL is not set/,
    );
  });

  it('kills the service and fails when it is not ready in time', async () => {
    const port = await freePort();
    const failure = spawnService({
      cwd,
      entry,
      env: { FIXTURE_MODE: 'never-ready', PORT: String(port) },
      timeoutMs: 700,
    });
    await expect(failure).rejects.toThrow(
      /did not answer 200 on \/health within 700 ms[\s\S]*fixture listening/,
    );
    // The child was killed, so its port no longer answers.
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });

  it('polls a custom readyPath', async () => {
    const service = await start({}, { readyPath: '/ready' });
    expect((await fetch(`${service.url}/ready`)).status).toBe(200);
  });

  it('fails clearly when the working directory does not exist', async () => {
    const failure = spawnService({ cwd: `${cwd}/does-not-exist`, entry, timeoutMs: 2_000 });
    await expect(failure).rejects.toThrow(/could not be started/);
  });
});
