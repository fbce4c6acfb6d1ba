import { DURATION_PATTERN } from './duration.ts';

// The JSON Schema every definition (JSON or YAML) must satisfy. Graph rules (unknown dependencies, cycles)
// and template references cannot be said in JSON Schema; validate-definition.ts checks those after it.

const duration = {
  oneOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', pattern: DURATION_PATTERN },
  ],
} as const;

export const ID_PATTERN = '^[a-z0-9][a-z0-9_-]{0,62}$';

const retry = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Retries after the first attempt (so at most max + 1 attempts). */
    max: { type: 'integer', minimum: 0, maximum: 100 },
    backoff: { enum: ['fixed', 'exponential'] },
    initial: duration,
    /** Cap on one delay (not a second `max`: JSON objects cannot repeat a key, and `max` counts retries). */
    maxDelay: duration,
    /** Fraction of the delay drawn at random either way: 0 (none) .. 1. */
    jitter: { type: 'number', minimum: 0, maximum: 1 },
  },
} as const;

const httpInput = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: {
    method: { enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] },
    url: { type: 'string', minLength: 1 },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    body: {},
    /** Token for the call: client_credentials from oauth-service (default), or none. */
    auth: {
      oneOf: [
        { const: 'none' },
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            resource: { type: 'string', minLength: 1 },
            scope: { type: 'string', minLength: 1 },
          },
        },
      ],
    },
    /** What a 4xx answer does: fail the step (default), retry it like a 5xx, or succeed with the answer. */
    on4xx: { enum: ['fail', 'retry', 'succeed'] },
  },
} as const;

const stepCommon = {
  id: { type: 'string', pattern: ID_PATTERN },
  type: { enum: ['http', 'delay', 'approval', 'noop', 'subflow'] },
  name: { type: 'string', maxLength: 200 },
  dependsOn: { type: 'array', items: { type: 'string' }, uniqueItems: true, maxItems: 200 },
  input: {},
  retry,
  timeout: duration,
  onTimeout: { enum: ['approve', 'reject'] },
} as const;

const step = {
  type: 'object',
  required: ['id', 'type'],
  additionalProperties: false,
  properties: stepCommon,
  allOf: [
    {
      if: { properties: { type: { const: 'http' } } },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword.
      then: { required: ['input'], properties: { input: httpInput } },
    },
    {
      if: { properties: { type: { const: 'delay' } } },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword.
      then: {
        required: ['input'],
        properties: {
          input: {
            type: 'object',
            required: ['duration'],
            additionalProperties: false,
            properties: {
              duration: { oneOf: [...duration.oneOf, { type: 'string', pattern: '^\\{\\{.*\\}\\}$' }] },
            },
          },
        },
      },
    },
    {
      if: { properties: { type: { const: 'subflow' } } },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword.
      then: {
        required: ['input'],
        properties: {
          input: {
            type: 'object',
            required: ['definition'],
            additionalProperties: false,
            properties: {
              definition: { type: 'string', pattern: ID_PATTERN },
              version: { type: 'integer', minimum: 1 },
              input: {},
            },
          },
        },
      },
    },
    {
      if: { properties: { type: { const: 'approval' } } },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword.
      then: {
        properties: {
          input: {
            type: 'object',
            additionalProperties: false,
            properties: { message: { type: 'string', maxLength: 2000 }, details: {} },
          },
        },
      },
      else: { not: { required: ['onTimeout'] } },
    },
  ],
} as const;

export const definitionSchema = {
  $id: 'https://platform.local/schemas/flow-definition.json',
  title: 'flow-service workflow definition',
  type: 'object',
  required: ['id', 'steps'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: ID_PATTERN },
    name: { type: 'string', maxLength: 200 },
    description: { type: 'string', maxLength: 4000 },
    /** Whole-run deadline, from the moment the run starts. */
    deadline: duration,
    /** Runs of this definition allowed to be active at once; further runs wait as `pending`. */
    concurrency: { type: 'integer', minimum: 1, maximum: 100_000 },
    /** Retry policy and timeout for steps that do not set their own. */
    defaults: {
      type: 'object',
      additionalProperties: false,
      properties: { retry, timeout: duration },
    },
    /** The run's output, templated from step outputs; defaults to the outputs of the steps nothing depends on. */
    output: {},
    steps: { type: 'array', minItems: 1, maxItems: 500, items: step },
  },
} as const;
