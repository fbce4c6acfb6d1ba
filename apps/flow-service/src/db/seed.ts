import type { Database } from '@platform/db';
import { createDefinitionsRepository } from '../definitions/definitions.repository.ts';
import { compileDefinition, parseDefinitionSource } from '../definitions/validate-definition.ts';
import type { FlowSchema } from './schema.ts';

// Example definitions for a fresh platform, in YAML as an operator would write them. Idempotent: a
// definition id that exists is left alone (the seed never adds versions).
function samples(publicUrl: string): Record<string, string> {
  return {
    'hello-pipeline': `id: hello-pipeline
name: Hello pipeline
description: Three no-op steps with a fan-out and fan-in; handy to try the API and the console.
deadline: 10m
steps:
  - id: start
    type: noop
    input: { greeting: "hello {{ input.name }}" }
  - id: left
    type: noop
    dependsOn: [start]
    input: { from: "{{ steps.start.output.greeting }}" }
  - id: right
    type: delay
    dependsOn: [start]
    input: { duration: 2s }
  - id: join
    type: noop
    dependsOn: [left, right]
    input: { left: "{{ steps.left.output }}", right: "{{ steps.right.output }}" }
`,
    'approval-demo': `id: approval-demo
name: Approval demo
description: Waits for a person holding flow:approve; rejects by itself after one hour.
steps:
  - id: request
    type: approval
    timeout: 1h
    onTimeout: reject
    # The message reads in full whatever input the run got (the console starts runs with {}); the input
    # itself goes along as details, shown with the message.
    input: { message: "Approve the demo change?", details: "{{ input }}" }
  - id: apply
    type: noop
    dependsOn: [request]
    # Who approved, by name (the decision's by_name); the subject id is in the decision as by.
    input: { approvedBy: "{{ steps.request.output.by_name }}" }
`,
    'echo-test-service': `id: echo-test-service
name: Call test-service
description: >-
  An http step with a client_credentials token for ${publicUrl}/test, retried on 5xx. Its token carries
  at most its author's scopes: save it again as a user holding test:read to run it.
steps:
  - id: echo
    type: http
    timeout: 10s
    retry: { max: 3, backoff: exponential, initial: 500ms, maxDelay: 10s, jitter: 0.2 }
    input:
      method: GET
      url: ${publicUrl}/test/api/v1/echo
      auth: { scope: "test:read" }
`,
  };
}

export async function seed(database: Database<FlowSchema>, publicUrl: string): Promise<string> {
  const definitions = createDefinitionsRepository(database.db);
  const created: string[] = [];
  for (const [id, source] of Object.entries(samples(publicUrl))) {
    if ((await definitions.latestVersion(id)) !== undefined) continue;
    const document = parseDefinitionSource(source);
    compileDefinition(document);
    // The seed is nobody's authority: its samples' steps get no token until a user saves them.
    await definitions.create({ document, source, format: 'yaml', createdBy: 'seed', authorScopes: [] });
    created.push(id);
  }
  return created.length ? `seeded definitions ${created.join(', ')}` : 'seed data already present';
}
