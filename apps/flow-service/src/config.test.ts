import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFlowServiceConfig } from './config.ts';

describe('flow-service configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flow-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('derives the token issuer and audience from PUBLIC_URL', () => {
    const config = loadFlowServiceConfig({ PUBLIC_URL: 'https://platform.example/' });
    expect(config.OAUTH_ISSUER).toBe('https://platform.example');
    expect(config.TOKEN_AUDIENCE).toBe('https://platform.example/flow');
    expect(config.PORT).toBe(3004);
    expect(config.FLOW_CLIENT_SECRET).toBeUndefined();
  });

  it('takes the client secret from its file (trimmed), unless FLOW_CLIENT_SECRET is set', () => {
    const file = join(dir, 'secret');
    writeFileSync(file, 'from-the-file-0123456789abcdef0123456789\n');
    expect(loadFlowServiceConfig({ FLOW_CLIENT_SECRET_FILE: file }).FLOW_CLIENT_SECRET).toBe(
      'from-the-file-0123456789abcdef0123456789',
    );
    expect(
      loadFlowServiceConfig({
        FLOW_CLIENT_SECRET_FILE: file,
        FLOW_CLIENT_SECRET: 'from-the-env-0123456789abcdef01234567',
      }).FLOW_CLIENT_SECRET,
    ).toBe('from-the-env-0123456789abcdef01234567');
    writeFileSync(file, 'short\n');
    expect(() => loadFlowServiceConfig({ FLOW_CLIENT_SECRET_FILE: file })).toThrow(
      /FLOW_CLIENT_SECRET_FILE: .* fewer than 32 characters/,
    );
  });
});
