import type { ActingUser, ActingUsers } from '../acting-user/acting-users.repository.ts';
import type { Outcome } from '../engine/outcome.ts';
import { type AuthorityClient, AuthorityUnavailableError } from './authority-client.ts';
import type { TokenClient, TokenRequest } from './token-client.ts';

// Which token an http step may carry (ADR 0001, ADR 0036). A run started by a user through the API acts
// for that user: its token is exchanged for one for the target, so the step can do only what the user
// can, and never falls back to flow-service's own identity. A run nobody started through the API
// (schedules, the seed) acts with a client_credentials token bounded by the definition author's authority.

/** Who saved the definition version and the scopes they held then (null: stored without its author). */
export interface StepAuthor {
  sub: string;
  scopes: string[] | null;
}

export interface StepTokenOptions {
  tokens: TokenClient | null;
  /** Asks oauth-service for the author's current scopes; null when flow-service has no client secret. */
  authority: AuthorityClient | null;
  /** The user a run acts for; absent or null: every run uses the author-bound path. */
  actingUsers?: ActingUsers | null;
  now?: () => number;
}

const fail = (error: string, retryable = false): Outcome => ({ kind: 'failed', error, retryable });
const NO_SECRET = 'http step needs a token but FLOW_CLIENT_SECRET is not configured';

/** The author held `scopes` when saving the definition: no step asks for more than its author could. */
function recordedProblem(scopes: string[], author: StepAuthor | undefined): Outcome | null {
  if (!author || author.scopes === null)
    return fail('this definition version records no author scopes; save it again to run steps with a token');
  const unrecorded = scopes.filter((s) => !author.scopes!.includes(s));
  if (unrecorded.length)
    return fail(`the definition's author ${author.sub} did not hold ${unrecorded.join(' ')}`);
  return null;
}

/** The author still holds `scopes` now (an active account whose roles grant each one). */
async function currentAuthorityProblem(
  scopes: string[],
  author: StepAuthor,
  authority: AuthorityClient | null,
): Promise<Outcome | null> {
  if (!authority) return fail(NO_SECRET);
  let now: Awaited<ReturnType<AuthorityClient['current']>>;
  try {
    now = await authority.current(author.sub);
  } catch (error) {
    if (error instanceof AuthorityUnavailableError) return fail(error.message, true);
    throw error;
  }
  if (!now?.active)
    return fail(
      `the definition's author ${author.sub} is disabled or deleted; the step does not act for them`,
    );
  const lost = scopes.filter((s) => !now.scopes.includes(s));
  if (lost.length)
    return fail(
      `the definition's author ${author.sub} no longer holds ${lost.join(' ')}; the step does not act with authority its author lost`,
    );
  return null;
}

/** Why the run's user's token cannot be exchanged, or null when it can. */
function actingUserProblem(user: ActingUser, now: number): Outcome | null {
  const fallback = 'the step does not fall back to flow-service’s own identity';
  if (user.token === null && user.missing === 'dpop_bound')
    return fail(
      `the run was started with a DPoP-bound token, which flow-service does not keep; ${fallback} (start the run with a Bearer token)`,
    );
  if (user.token === null)
    return fail(
      `the token of ${user.sub}, who started this run, cannot be read (flow-service's client secret changed); ${fallback}`,
    );
  if (user.expiresAt <= now)
    return fail(
      `the ${'kind' in user && user.kind === 'refresh_token' ? 'refresh token' : 'token'} of ${user.sub}, who started this run, expired at ${new Date(user.expiresAt).toISOString()}; ${fallback} (start the run again)`,
    );
  return null;
}

/**
 * The token request for a step that asks for `scopes` at `resource`, or the refusal. Nothing is sent to
 * oauth-service's token endpoint here; the caller asks for the token once the target address is checked.
 */
export async function stepTokenRequest(
  scopes: string[],
  resource: string,
  context: { runId: string; author?: StepAuthor },
  options: StepTokenOptions,
): Promise<TokenRequest | Outcome> {
  const recorded = recordedProblem(scopes, context.author);
  if (recorded) return recorded;
  const request: TokenRequest = { resource, ...(scopes.length ? { scope: scopes.join(' ') } : {}) };
  const user = (await options.actingUsers?.forRun(context.runId)) ?? null;
  if (user) {
    const refused = actingUserProblem(user, (options.now ?? Date.now)());
    if (refused) return refused;
    if (!options.tokens) return fail(NO_SECRET);
    // The run's refresh token (exchanged at its start) is refreshed for this step; an access token kept
    // instead is exchanged.
    const kept = user as Extract<ActingUser, { kind: string }>;
    return kept.kind === 'refresh_token'
      ? { ...request, refreshToken: kept.token }
      : { ...request, subjectToken: kept.token };
  }
  const refused = await currentAuthorityProblem(scopes, context.author!, options.authority);
  if (refused) return refused;
  if (!options.tokens) return fail(NO_SECRET);
  return request;
}

export const isOutcome = (value: TokenRequest | Outcome): value is Outcome => 'kind' in value;
