import { createTempDatabase, type TempDatabase } from '@platform/db/temp-database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './test/harness.ts';

// The OpenAPI document is a contract: every status a route can answer is listed, so generated clients and
// Schemathesis (e2e/src/contract) see no surprises.
type Operation = { responses: Record<string, unknown>; security?: unknown[] };

describe('test-service OpenAPI document', () => {
  let db: TempDatabase;
  let h: Harness;
  let paths: Record<string, Record<string, Operation>>;
  beforeAll(async () => {
    db = await createTempDatabase('sqlite');
    h = await startHarness(db.url);
    paths = (await h.app.inject({ method: 'GET', url: '/test/openapi.json' })).json().paths;
  });
  afterAll(async () => {
    await h.close();
    await db.drop();
  });

  const statuses = (path: string, method: string) => Object.keys(paths[path]?.[method]?.responses ?? {});

  it('documents 400, 401 and 403 on every protected operation (validation, missing token, missing scope)', () => {
    const protectedOperations = Object.entries(paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, operation]) => operation.security?.length)
        .map(([method]) => [path, method] as const),
    );
    expect(protectedOperations.length).toBeGreaterThanOrEqual(7);
    for (const [path, method] of protectedOperations) {
      expect(statuses(path, method), `${method} ${path}`).toEqual(
        expect.arrayContaining(['400', '401', '403']),
      );
    }
  });

  it('documents 404 for an item that does not exist and 204 for a deletion', () => {
    expect(statuses('/test/api/v1/items/{id}', 'get')).toEqual(expect.arrayContaining(['200', '404']));
    expect(statuses('/test/api/v1/items/{id}', 'delete')).toEqual(expect.arrayContaining(['204', '404']));
  });
});
