import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { restrictedRange } from './address-ranges.ts';

// Where an http step may send a request. The platform's resource servers (PUBLIC_URL/<name>/..., or the
// internal origin an operator gave for one) and the exact origins in FLOW_HTTP_ALLOWED_ORIGINS are trusted
// as configured; a wildcard entry (`https://*.example.com`) matches hosts nobody here controls, so what
// their names resolve to must be a public address. The address checked is the address connected to.

export interface ResourceServerEntry {
  name: string;
  /** The internal origin serving this resource server, besides PUBLIC_URL/<name>. */
  origin?: string;
}

export interface EgressPolicyOptions {
  publicUrl: string;
  resourceServers: ResourceServerEntry[];
  allowedOrigins: string[];
  /** Test hook: DNS resolution (default: the system resolver, every address). */
  resolve?: (hostname: string) => Promise<Array<{ address: string; family: number }>>;
}

export type TargetCheck =
  | {
      ok: true;
      url: URL;
      /** RFC 8707 resource identifier of the resource server at this target; null when it is none. */
      resource: string | null;
      /** Configured by an operator (resource server or exact origin): its addresses are not judged. */
      trusted: boolean;
    }
  | { ok: false; reason: string };

export type ResolvedTarget =
  | { ok: true; address: string; family: 4 | 6 }
  | { ok: false; reason: string; retryable: boolean };

export interface EgressPolicy {
  /** Checks a URL without the network: syntax, the allowlist, and literal addresses. */
  check(url: string): TargetCheck;
  /** Resolves an allowed target's host once; the answer is the address to connect to. */
  resolve(target: Extract<TargetCheck, { ok: true }>): Promise<ResolvedTarget>;
  /** What a step may call, for error messages. */
  describe(): string;
}

const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

function parseHttpUrl(raw: string): URL | string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `"${raw.slice(0, 200)}" is not an absolute http(s) URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `"${url.protocol}" URLs are not allowed (http and https only)`;
  // Credentials in the URL would travel to the target as a Basic header the policy never saw.
  if (url.username || url.password) return 'URLs with credentials (user:password@) are not allowed';
  // The URL parser resolves literal dot segments; encoded ones (or encoded slashes) a proxy might decode
  // later would step out of the resource server's prefix the policy checked.
  if (/%2e|%2f|%5c/i.test(url.pathname))
    return `${url.origin}${url.pathname} has an encoded dot, slash or backslash in its path`;
  return url;
}

/** The configured targets, parsed once. */
interface Allowlist {
  base: URL;
  basePath: string;
  /** PUBLIC_URL without a trailing slash. */
  publicUrl: string;
  /** Internal origin → resource server name. */
  internal: Map<string, string>;
  exact: Set<string>;
  wildcards: Array<{ protocol: string; suffix: string; port: string }>;
  names: string[];
  allowedOrigins: string[];
}

function compileAllowlist(options: EgressPolicyOptions): Allowlist {
  const base = new URL(options.publicUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const internal = new Map(
    options.resourceServers.filter((s) => s.origin).map((s) => [new URL(s.origin!).origin, s.name]),
  );
  const exact = new Set<string>();
  const wildcards: Allowlist['wildcards'] = [];
  for (const entry of options.allowedOrigins) {
    if (entry.includes('://*.')) {
      const url = new URL(entry.replace('://*.', '://'));
      wildcards.push({ protocol: url.protocol, suffix: `.${url.hostname}`, port: url.port });
    } else exact.add(new URL(entry).origin);
  }
  return {
    base,
    basePath,
    publicUrl: `${base.origin}${basePath}`,
    internal,
    exact,
    wildcards,
    names: options.resourceServers.map((s) => s.name),
    allowedOrigins: options.allowedOrigins,
  };
}

/** The resource server a URL on PUBLIC_URL's origin addresses, by its first path segment under PUBLIC_URL. */
function publicResource(allow: Allowlist, url: URL): string | null {
  if (url.origin !== allow.base.origin || !url.pathname.startsWith(`${allow.basePath}/`)) return null;
  const segment = url.pathname.slice(allow.basePath.length + 1).split('/')[0] ?? '';
  return allow.names.includes(segment) ? `${allow.publicUrl}/${segment}` : null;
}

function describeTargets(allow: Allowlist): string {
  const { names, publicUrl, internal, exact, wildcards } = allow;
  return `the platform's resource servers (${names.map((n) => `${publicUrl}/${n}/`).join(', ')}${internal.size ? `, ${[...internal.keys()].join(', ')}` : ''})${exact.size || wildcards.length ? ` and ${allow.allowedOrigins.join(', ')}` : ''}`;
}

function checkTarget(allow: Allowlist, raw: string): TargetCheck {
  const url = parseHttpUrl(raw);
  if (typeof url === 'string') return { ok: false, reason: url };
  const viaPublic = publicResource(allow, url);
  if (viaPublic) return { ok: true, url, resource: viaPublic, trusted: true };
  const name = allow.internal.get(url.origin);
  if (name) return { ok: true, url, resource: `${allow.publicUrl}/${name}`, trusted: true };
  if (allow.exact.has(url.origin)) return { ok: true, url, resource: null, trusted: true };
  const host = hostOf(url);
  const wildcard = allow.wildcards.some(
    (w) => w.protocol === url.protocol && w.port === url.port && host.endsWith(w.suffix),
  );
  if (!wildcard)
    return {
      ok: false,
      reason: `${url.origin}${url.pathname} is not an allowed target: http steps may call ${describeTargets(allow)} (FLOW_HTTP_ALLOWED_ORIGINS)`,
    };
  if (isIP(host)) {
    const range = restrictedRange(host);
    if (range) return { ok: false, reason: `${host} is a ${range} address and ${url.origin} is not listed` };
  }
  return { ok: true, url, resource: null, trusted: false };
}

type Resolver = NonNullable<EgressPolicyOptions['resolve']>;

async function resolveTarget(
  resolve: Resolver,
  target: Extract<TargetCheck, { ok: true }>,
): Promise<ResolvedTarget> {
  const host = hostOf(target.url);
  const family = isIP(host);
  if (family) return { ok: true, address: host, family: family as 4 | 6 };
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = await resolve(host);
  } catch (error) {
    return {
      ok: false,
      reason: `cannot resolve ${host}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      retryable: true,
    };
  }
  if (addresses.length === 0) return { ok: false, reason: `${host} has no address`, retryable: true };
  if (!target.trusted)
    for (const { address } of addresses) {
      const range = restrictedRange(address);
      if (range)
        return {
          ok: false,
          reason: `${host} resolves to ${address}, a ${range} address, and ${target.url.origin} is not listed`,
          retryable: false,
        };
    }
  const first = addresses[0]!;
  return { ok: true, address: first.address, family: first.family === 6 ? 6 : 4 };
}

export function createEgressPolicy(options: EgressPolicyOptions): EgressPolicy {
  const allow = compileAllowlist(options);
  const resolve: Resolver =
    options.resolve ?? ((hostname: string) => lookup(hostname, { all: true, verbatim: true }));
  return {
    describe: () => describeTargets(allow),
    check: (raw) => checkTarget(allow, raw),
    resolve: (target) => resolveTarget(resolve, target),
  };
}
