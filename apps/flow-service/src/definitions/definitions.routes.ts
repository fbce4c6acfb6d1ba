import { requireScopes } from '@platform/auth';
import { type App, type Handler, HttpError, notFound } from '@platform/http';
import type { FastifyBaseLogger } from 'fastify';
import type { EgressPolicy } from '../egress/egress-policy.ts';
import { type AuthorityClient, AuthorityUnavailableError } from '../http-step/authority-client.ts';
import type { DefinitionsRepository } from './definitions.repository.ts';
import {
  createDefinitionSchema,
  getDefinitionSchema,
  getVersionSchema,
  listDefinitionsSchema,
  listVersionsSchema,
  validateDefinitionSchema,
} from './definitions.schemas.ts';
import { readYamlDefinition } from './source-positions.ts';
import { checkHttpSteps, type ScopeRequest, scopeIssues } from './step-egress.ts';
import { compileDefinition, DefinitionError, type DefinitionIssue } from './validate-definition.ts';

export interface DefinitionRouteOptions {
  policy: EgressPolicy;
  /** Learns an author's scopes beyond those of the token they save with; null without a client secret. */
  authority: AuthorityClient | null;
}

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

/** The author as their token names them, and the request's logger. */
interface Author {
  token: { sub: string; scopes: Iterable<string> };
  log: FastifyBaseLogger;
}

function invalidDefinition(issues: DefinitionIssue[]): HttpError {
  const first = issues[0];
  return new HttpError({
    status: 400,
    code: 'invalid_definition',
    detail: `the definition is invalid: ${first?.path || '/'}: ${first?.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
    extensions: { errors: issues },
  });
}

/** Places issues in the author's YAML text; JSON bodies have no lines, so their issues stay as they are. */
type Locate = (issues: DefinitionIssue[]) => DefinitionIssue[];
const asIs: Locate = (issues) => issues;

/**
 * Parses and validates the body (JSON object, or YAML text), including its http steps' targets; returns the
 * document, its original text, the scopes its steps' tokens ask for, and what places issues in the text.
 */
function readDefinition(body: unknown, policy: EgressPolicy) {
  const isYaml = typeof body === 'string';
  let locate = asIs;
  try {
    const read = isYaml ? readYamlDefinition(body) : { document: body, locate: asIs };
    locate = read.locate;
    compileDefinition(read.document);
    const { issues, scopes } = checkHttpSteps(read.document, policy);
    if (issues.length) throw new DefinitionError(issues);
    const format = isYaml ? ('yaml' as const) : ('json' as const);
    const source = isYaml ? body : JSON.stringify(body, null, 2);
    return { document: read.document, format, source, scopes, locate };
  } catch (error) {
    if (error instanceof DefinitionError) throw invalidDefinition(locate(error.issues));
    throw error;
  }
}

/**
 * The scopes the author holds now: their token's, and, when a step asks for more, what their roles grant
 * (their token for flow-service carries only flow scopes). A step asking beyond that is refused.
 */
async function heldScopes(
  author: Author,
  requests: ScopeRequest[],
  authority: AuthorityClient | null,
  locate: Locate,
): Promise<Set<string>> {
  const held = new Set(author.token.scopes);
  if (authority && !requests.every((r) => held.has(r.scope))) await addRoleScopes(author, authority, held);
  const refused = scopeIssues(requests, held);
  if (refused.length) throw invalidDefinition(locate(refused));
  return held;
}

async function addRoleScopes(author: Author, authority: AuthorityClient, held: Set<string>) {
  try {
    const now = await authority.current(author.token.sub);
    if (now?.active) for (const scope of now.scopes) held.add(scope);
  } catch (error) {
    if (!(error instanceof AuthorityUnavailableError)) throw error;
    author.log.warn({ err: error }, "cannot learn a definition author's scopes");
    throw new HttpError({
      status: 503,
      code: 'authority_unavailable',
      detail: 'oauth-service could not confirm the scopes your steps ask for; try again shortly',
    });
  }
}

const createDefinition =
  (
    definitions: DefinitionsRepository,
    options: DefinitionRouteOptions,
  ): Handler<typeof createDefinitionSchema> =>
  async (request, reply) => {
    const { document, format, source, scopes, locate } = readDefinition(request.body, options.policy);
    const token = request.token!;
    const held = await heldScopes({ token, log: request.log }, scopes, options.authority, locate);
    const created = await definitions.create({
      document,
      format,
      source,
      createdBy: token.sub,
      authorScopes: [...held],
    });
    return reply
      .status(201)
      .header('location', `/flow/api/v1/definitions/${created.id}/versions/${created.version}`)
      .send(created);
  };

const validateDefinition =
  (options: DefinitionRouteOptions): Handler<typeof validateDefinitionSchema> =>
  async (request) => {
    readDefinition(request.body, options.policy);
    return { valid: true };
  };

const listDefinitions =
  (definitions: DefinitionsRepository): Handler<typeof listDefinitionsSchema> =>
  async () => ({ definitions: await definitions.list() });

const getDefinition =
  (definitions: DefinitionsRepository): Handler<typeof getDefinitionSchema> =>
  async (request) => {
    const found = await definitions.get(request.params.id);
    if (!found) throw notFound(`definition ${request.params.id} does not exist`);
    return found;
  };

const listVersions =
  (definitions: DefinitionsRepository): Handler<typeof listVersionsSchema> =>
  async (request) => {
    const versions = await definitions.versions(request.params.id);
    if (versions.length === 0) throw notFound(`definition ${request.params.id} does not exist`);
    return { versions };
  };

const getVersion =
  (definitions: DefinitionsRepository): Handler<typeof getVersionSchema> =>
  async (request) => {
    const found = await definitions.get(request.params.id, request.params.version);
    if (!found) throw notFound(`definition ${request.params.id} has no version ${request.params.version}`);
    return found;
  };

export function definitionRoutes(
  app: App,
  definitions: DefinitionsRepository,
  options: DefinitionRouteOptions,
): void {
  // YAML bodies arrive as text and are parsed (and size-limited) like JSON ones.
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_request, body, done) => done(null, body));
  const read = requireScopes('flow:read');
  const base = '/flow/api/v1/definitions';
  app.post(
    base,
    { preHandler: requireScopes('flow:write'), schema: createDefinitionSchema },
    createDefinition(definitions, options),
  );
  app.post(
    `${base}/validate`,
    { preHandler: read, schema: validateDefinitionSchema },
    validateDefinition(options),
  );
  app.get(base, { preHandler: read, schema: listDefinitionsSchema }, listDefinitions(definitions));
  app.get(`${base}/:id`, { preHandler: read, schema: getDefinitionSchema }, getDefinition(definitions));
  app.get(
    `${base}/:id/versions`,
    { preHandler: read, schema: listVersionsSchema },
    listVersions(definitions),
  );
  app.get(
    `${base}/:id/versions/:version`,
    { preHandler: read, schema: getVersionSchema },
    getVersion(definitions),
  );
}
