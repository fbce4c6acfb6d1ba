import { createDatabase, migrateToLatest } from '@platform/db';
import { createTestIssuer, type TestIssuer } from '@platform/testing';
import type { FastifyInstance } from 'fastify';
import { buildTestService } from '../app.ts';
import { migrations } from '../db/migrations.ts';

export const AUDIENCE = 'http://localhost:8080/test';

export interface Harness {
  app: FastifyInstance;
  issuer: TestIssuer;
  /** A token for this service's audience with the given scopes. */
  token(scope: string, sub?: string): Promise<string>;
  close(): Promise<void>;
}

/** test-service built on a migrated database of the given URL, trusting a local test issuer. */
export async function startHarness(
  databaseUrl: string,
  options: { logStream?: { write(line: string): unknown } } = {},
): Promise<Harness> {
  const migrator = createDatabase(databaseUrl);
  await migrateToLatest(migrator, migrations);
  await migrator.close();
  const issuer = await createTestIssuer();
  const app = await buildTestService(
    {
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'silent',
      OAUTH_ISSUER: issuer.issuer,
      OAUTH_JWKS_URL: issuer.jwksUri,
      TOKEN_AUDIENCE: AUDIENCE,
      ...(options.logStream ? { LOG_LEVEL: 'info' as const } : {}),
    },
    options.logStream ? { logStream: options.logStream } : {},
  );
  return {
    app,
    issuer,
    token: (scope, sub = 'user-1') => issuer.mint({ aud: AUDIENCE, client_id: 'client-a', sub, scope }),
    async close() {
      await app.close();
      await issuer.close();
    },
  };
}
