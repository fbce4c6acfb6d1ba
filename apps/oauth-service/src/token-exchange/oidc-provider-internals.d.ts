// oidc-provider hands its grant helpers only to its own grants; a grant added with registerGrantType imports
// the ones it needs from the pinned version's files. Their types, as far as this module uses them.

declare module 'oidc-provider/lib/helpers/validate_dpop.js' {
  import type Provider from 'oidc-provider';
  import type { KoaContextWithOIDC } from 'oidc-provider';
  export interface DpopProof {
    thumbprint: string;
    jti: string;
    iat: number;
  }
  /** The request's DPoP proof, checked (method, URL, freshness, nonce); undefined without one. */
  export default function validateDpop(
    provider: Provider,
    ctx: KoaContextWithOIDC,
    accessToken?: string,
  ): Promise<DpopProof | undefined>;
}

declare module 'oidc-provider/lib/helpers/grant_common.js' {
  import type Provider from 'oidc-provider';
  import type { KoaContextWithOIDC } from 'oidc-provider';
  import type { DpopProof } from 'oidc-provider/lib/helpers/validate_dpop.js';
  /** Refuses a replayed proof, then binds the token to the proof's key (`cnf.jkt`). */
  export function applyDpopBinding(
    provider: Provider,
    ctx: KoaContextWithOIDC,
    dPoP: DpopProof | undefined,
    token: InstanceType<Provider['AccessToken']>,
  ): Promise<void>;
}

declare module 'oidc-provider/lib/helpers/sender_constraints.js' {
  import type Provider from 'oidc-provider';
  import type { KoaContextWithOIDC } from 'oidc-provider';
  import type { DpopProof } from 'oidc-provider/lib/helpers/validate_dpop.js';
  /** Refuses a request without a proof from a client whose tokens must be DPoP-bound. */
  export function checkDpopRequired(
    provider: Provider,
    ctx: KoaContextWithOIDC,
    dPoP: DpopProof | undefined,
  ): void;
}

declare module 'oidc-provider/lib/helpers/grant_response.js' {
  import type Provider from 'oidc-provider';
  export function buildTokenResponse(
    provider: Provider,
    response: {
      accessToken: string;
      expiresIn?: number;
      issuedTokenType?: string;
      scope?: string;
      tokenType: string;
    },
  ): Record<string, unknown>;
}
