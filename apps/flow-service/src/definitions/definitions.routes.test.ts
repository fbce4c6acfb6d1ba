import { describeEachDialect } from '@platform/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, startHarness } from '../test/harness.ts';

const YAML = `# ordered pipeline
id: yaml-flow
name: From YAML
steps:
  - id: one
    type: noop
  - id: two
    type: noop
    dependsOn: [one]
`;

describeEachDialect('definitions API', (temp) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(temp().url);
  });
  afterAll(async () => h?.close());

  it('stores YAML as given and versions each new submission', async () => {
    const first = await h.call('POST', '/flow/api/v1/definitions', YAML, {
      headers: { 'content-type': 'application/yaml' },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      id: 'yaml-flow',
      version: 1,
      format: 'yaml',
      source: YAML,
      steps: 2,
      created_by: 'user-1',
    });
    expect(first.headers.location).toBe('/flow/api/v1/definitions/yaml-flow/versions/1');
    const second = await h.call('POST', '/flow/api/v1/definitions', {
      id: 'yaml-flow',
      steps: [{ id: 'only', type: 'noop' }],
    });
    expect(second.body.version).toBe(2);
    expect((await h.call('GET', '/flow/api/v1/definitions/yaml-flow')).body).toMatchObject({
      version: 2,
      format: 'json',
      steps: 1,
    });
    expect(
      (await h.call('GET', '/flow/api/v1/definitions/yaml-flow/versions/1')).body.document.steps,
    ).toHaveLength(2);
    expect(
      (await h.call('GET', '/flow/api/v1/definitions/yaml-flow/versions')).body.versions.map(
        (v: { version: number }) => v.version,
      ),
    ).toEqual([2, 1]);
    const list = await h.call('GET', '/flow/api/v1/definitions');
    expect(list.body.definitions).toEqual([expect.objectContaining({ id: 'yaml-flow', version: 2 })]);
    // A run may pin an older version.
    const run = await h.call('POST', '/flow/api/v1/definitions/yaml-flow/runs', { version: 1 });
    expect(run.body.version).toBe(1);
    expect((await h.waitFor(run.body.id)).steps.map((s: { id: string }) => s.id)).toEqual(['one', 'two']);
  });

  it('answers problem+json 400 with every fault for an invalid definition, and stores nothing', async () => {
    const response = await h.call('POST', '/flow/api/v1/definitions', {
      id: 'broken',
      steps: [
        { id: 'a', type: 'noop', dependsOn: ['missing'] },
        { id: 'b', type: 'noop', dependsOn: ['gone'] },
      ],
    });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      status: 400,
      code: 'invalid_definition',
      type: 'urn:problem:invalid_definition',
    });
    expect(response.body.detail).toBe(
      'the definition is invalid: /steps/0/dependsOn/0: unknown step "missing" (and 1 more)',
    );
    expect(response.body.errors).toHaveLength(2);
    const yaml = await h.call('POST', '/flow/api/v1/definitions', 'id: [', {
      headers: { 'content-type': 'text/yaml' },
    });
    expect(yaml.status).toBe(400);
    expect(yaml.body.errors[0].message).toMatch(/not valid YAML/);
    const validate = await h.call('POST', '/flow/api/v1/definitions/validate', {
      id: 'v',
      steps: [{ id: 'a', type: 'noop', input: '{{ steps.z.output }}' }],
    });
    expect(validate.status).toBe(400);
    expect(validate.body.errors[0]).toEqual({
      path: '/steps/0/input',
      message: 'template reads unknown step "z"',
    });
    expect(
      (
        await h.call('POST', '/flow/api/v1/definitions/validate', {
          id: 'v',
          steps: [{ id: 'a', type: 'noop' }],
        })
      ).body,
    ).toEqual({ valid: true });
    expect((await h.call('GET', '/flow/api/v1/definitions/broken')).status).toBe(404);
  });

  it('places each fault of a YAML definition at its line and column, on validate and on save', async () => {
    const yaml = { headers: { 'content-type': 'application/yaml' } };
    const unknownProperty = await h.call(
      'POST',
      '/flow/api/v1/definitions/validate',
      'id: lines\nsteps:\n  - id: fetch\n    type: noop\n    colour: red\n  - name: no id\n    type: noop\n',
      yaml,
    );
    expect(unknownProperty.status).toBe(400);
    expect(unknownProperty.body.errors).toEqual([
      { path: '/steps/0', message: 'unknown property "colour"', line: 5, column: 5 },
      { path: '/steps/1', message: "must have required property 'id'", line: 6, column: 5 },
    ]);
    const source =
      'id: lines\nsteps:\n  - id: fetch\n    type: noop\n  - id: notify\n    type: noop\n    dependsOn: [fetch, missing]\n';
    for (const url of ['/flow/api/v1/definitions/validate', '/flow/api/v1/definitions']) {
      const refused = await h.call('POST', url, source, yaml);
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([
        { path: '/steps/1/dependsOn/1', message: 'unknown step "missing"', line: 7, column: 24 },
      ]);
    }
    const syntax = await h.call('POST', '/flow/api/v1/definitions/validate', 'id: ok\nsteps: [\n', yaml);
    expect(syntax.body.errors[0]).toMatchObject({ path: '', line: 3, column: 1 });
    // A JSON body has no lines to point at.
    const json = await h.call('POST', '/flow/api/v1/definitions/validate', {
      id: 'j',
      steps: [{ id: 'a', type: 'noop', colour: 'red' }],
    });
    expect(json.body.errors).toEqual([{ path: '/steps/0', message: 'unknown property "colour"' }]);
  });

  it('enforces scopes: flow:write to define, flow:run to start, flow:read to read; a token to do anything', async () => {
    const doc = { id: 'scoped', steps: [{ id: 'a', type: 'noop' }] };
    expect(
      (await h.call('POST', '/flow/api/v1/definitions', doc, { scope: 'flow:read flow:run' })).status,
    ).toBe(403);
    expect((await h.call('POST', '/flow/api/v1/definitions', doc, { scope: 'flow:write' })).status).toBe(201);
    const noRun = await h.call(
      'POST',
      '/flow/api/v1/definitions/scoped/runs',
      {},
      { scope: 'flow:read flow:write' },
    );
    expect(noRun.status).toBe(403);
    expect(noRun.headers['www-authenticate']).toMatch(/insufficient_scope.*flow:run/);
    expect((await h.call('GET', '/flow/api/v1/runs', undefined, { scope: 'flow:run' })).status).toBe(403);
    const anonymous = await h.app.inject({ method: 'GET', url: '/flow/api/v1/definitions' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer /);
    expect((await h.call('POST', '/flow/api/v1/definitions/nothing-here/runs', {})).status).toBe(404);
  });

  it('publishes RFC 9728 metadata and the OpenAPI document', async () => {
    const metadata = await h.app.inject({ method: 'GET', url: '/.well-known/oauth-protected-resource/flow' });
    expect(metadata.statusCode).toBe(200);
    expect(metadata.json()).toMatchObject({
      resource: 'http://localhost:8080/flow',
      scopes_supported: ['flow:read', 'flow:write', 'flow:run', 'flow:approve'],
    });
    const openapi = (await h.app.inject({ method: 'GET', url: '/flow/openapi.json' })).json();
    for (const path of [
      '/flow/api/v1/definitions',
      '/flow/api/v1/definitions/{id}/runs',
      '/flow/api/v1/runs/{runId}',
      '/flow/api/v1/runs/{runId}/events/stream',
      '/flow/api/v1/runs/{runId}/steps/{stepId}/decision',
      '/flow/api/v1/schedules',
    ])
      expect(Object.keys(openapi.paths)).toContain(path);
  });
});
