// The runbook's logrotate configuration (deploy/logrotate/oauth-platform) applied to a service's LOG_FILE
// by the real logrotate: lines before a rotation stay in the rotated file, lines after go to the new file
// (the service reopens it on SIGHUP, which `systemctl reload oauth-platform` sends), older files compress.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { SpawnedService } from '@platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../platform-process.ts';
import { startService } from '../service.ts';

const TEST_SERVICE_DIR = join(ROOT, 'apps/test-service');
const LOGROTATE = existsSync('/usr/sbin/logrotate') ? '/usr/sbin/logrotate' : 'logrotate';

describe('log rotation of a service log file', () => {
  let dir: string;
  let service: SpawnedService;
  let logFile: string;
  let config: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'logrotate-'));
    logFile = join(dir, 'test-service.log');
    const env = { DATABASE_URL: `file:${join(dir, 'test.db')}`, LOG_LEVEL: 'info', LOG_FILE: logFile };
    service = await startService(TEST_SERVICE_DIR, env);

    // The shipped file, pointed at this directory, reloading this process as systemd's ExecReload would.
    const shipped = readFileSync(join(ROOT, 'deploy/logrotate/oauth-platform'), 'utf8');
    const local = shipped
      .replace('/var/log/oauth-platform/*.log', `${dir}/*.log`)
      .replace('        systemctl reload oauth-platform\n', `        kill -HUP ${service.process.pid}\n`)
      // Owner as whoever runs the test (root in CI; chown needs root).
      .replace('create 0600 platform platform', 'create 0600');
    expect(local).not.toBe(shipped);
    config = join(dir, 'logrotate.conf');
    writeFileSync(config, local, { mode: 0o644 });
  });

  afterAll(async () => {
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
  async function logRequest(id: string) {
    await fetch(`${service.url}/test/api/v1/echo`, { headers: { 'x-request-id': id } });
    for (let i = 0; i < 100 && !read(logFile).includes(id); i += 1)
      await new Promise((r) => setTimeout(r, 20));
  }
  function rotate() {
    const result = spawnSync(LOGROTATE, ['-f', '-s', join(dir, 'state'), config], { encoding: 'utf8' });
    expect(result.status, `${result.stderr}${result.stdout}`).toBe(0);
  }

  it('keeps writing to the new file after each rotation, and compresses the older ones', async () => {
    await logRequest('before-rotation');
    expect(read(logFile)).toContain('before-rotation');

    rotate();
    await logRequest('after-first');
    expect(read(logFile)).toContain('after-first');
    expect(statSync(logFile).mode & 0o777, 'the new log file is owner-only').toBe(0o600);
    expect(read(logFile)).not.toContain('before-rotation');
    // delaycompress: the newest rotated file stays plain for one cycle.
    expect(read(`${logFile}.1`)).toContain('before-rotation');
    expect(read(`${logFile}.1`)).not.toContain('after-first');

    rotate();
    await logRequest('after-second');
    expect(read(logFile)).toContain('after-second');
    expect(read(`${logFile}.1`)).toContain('after-first');
    expect(gunzipSync(readFileSync(`${logFile}.2.gz`)).toString()).toContain('before-rotation');
    // Every line is one JSON object from the service.
    for (const line of read(logFile).trim().split('\n')) {
      expect(JSON.parse(line)).toMatchObject({ service: 'test-service' });
    }
  });
});
