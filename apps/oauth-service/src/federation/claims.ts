// What the upstream said about the person, read through the provider's claim mapping: each mapped name is a
// claim name or a dotted path (`realm_access.roles`); null leaves the field unmapped.

export interface ClaimMappingInput {
  subject: string;
  email: string | null;
  email_verified: string | null;
  name: string | null;
  groups: string | null;
}

/** The person as the upstream describes them, after mapping. */
export interface UpstreamPerson {
  subject: string;
  email: string | undefined;
  /** True only when the upstream itself says the address is verified. */
  emailVerified: boolean;
  name: string | undefined;
  groups: string[];
  /** The upstream's own authentication methods and level (ID token `amr`, `acr`), never mapped. */
  amr: string[];
  acr: string | undefined;
}

/** The value at `path` (dotted) in `claims`, or undefined. */
export function claimAt(claims: Record<string, unknown>, path: string | null): unknown {
  if (!path) return undefined;
  if (path in claims) return claims[path];
  let value: unknown = claims;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

const text = (value: unknown): string | undefined => {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
};

const strings = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.map(text).filter((v): v is string => v !== undefined);
  const one = text(value);
  return one ? one.split(/[\s,]+/).filter(Boolean) : [];
};

/**
 * Maps the claims to a person; undefined without a subject. `email_verified` counts only as the boolean true
 * (or the string "true" some upstreams send), never as a default.
 */
export function mapClaims(
  claims: Record<string, unknown>,
  mapping: ClaimMappingInput,
  authentication: { amr?: unknown; acr?: unknown } = {},
): UpstreamPerson | undefined {
  const subject = text(claimAt(claims, mapping.subject));
  if (!subject) return undefined;
  const verified = claimAt(claims, mapping.email_verified);
  return {
    subject,
    email: text(claimAt(claims, mapping.email))?.toLowerCase(),
    emailVerified: verified === true || verified === 'true',
    name: text(claimAt(claims, mapping.name)),
    groups: strings(claimAt(claims, mapping.groups)),
    amr: strings(authentication.amr),
    acr: text(authentication.acr),
  };
}

/** Whether the upstream's own authentication satisfies the local MFA policy for this provider. */
export function upstreamSatisfiesMfa(
  person: Pick<UpstreamPerson, 'amr' | 'acr'>,
  satisfiedBy: { amr: string[]; acr: string[] },
): boolean {
  if (person.acr && satisfiedBy.acr.includes(person.acr)) return true;
  return person.amr.some((method) => satisfiedBy.amr.includes(method));
}

/** The domain part of an address, lowercased. */
export const emailDomain = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/** Whether the address is allowed: an empty list allows any domain. */
export const domainAllowed = (email: string, allowed: readonly string[]) =>
  allowed.length === 0 || allowed.map((d) => d.toLowerCase()).includes(emailDomain(email));
