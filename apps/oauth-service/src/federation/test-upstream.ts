import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, decodeJwt, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

// A second, independent OpenID provider for tests: a bare oidc-provider on a loopback port with its own RSA
// key and accounts. Its sign-in step has no page: it signs in `nextLogin` at once (and consents), so a test
// browser only follows redirects. `forge` rewrites the ID token its token endpoint returns, re-signed, to
// prove the relying party refuses it.

export interface UpstreamAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  groups?: string[];
  amr?: string[];
  acr?: string;
}

export type Forgery = 'wrong_nonce' | 'wrong_audience' | 'unknown_key' | undefined;

export interface TestUpstream {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, UpstreamAccount>;
  /** The account the next authorization signs in. */
  nextLogin: string;
  forge: Forgery;
  stop(): Promise<void>;
}

async function signingKeys() {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'upstream-1', alg: 'RS256', use: 'sig' } as JWK;
  return { jwk, privateKey };
}

async function reSign(idToken: string, forge: NonNullable<Forgery>, key: CryptoKey) {
  const claims = decodeJwt(idToken);
  if (forge === 'wrong_nonce') claims.nonce = 'not-the-nonce-we-sent';
  if (forge === 'wrong_audience') claims.aud = 'some-other-client';
  const signer = forge === 'unknown_key' ? (await generateKeyPair('RS256')).privateKey : key;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: forge === 'unknown_key' ? 'not-published' : 'upstream-1' })
    .sign(signer);
}

/** Starts the upstream; `redirectUris` are the relying party's callbacks registered for its one client. */
export async function startTestUpstream(redirectUris: string | string[]): Promise<TestUpstream> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { jwk, privateKey } = await signingKeys();
  const state: TestUpstream = {
    issuer,
    clientId: 'platform-rp',
    clientSecret: 'upstream-client-secret-0123456789abcdef',
    accounts: new Map(),
    nextLogin: '',
    forge: undefined,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const provider = new Provider(issuer, {
    jwks: { keys: [jwk] },
    clients: [
      {
        client_id: state.clientId,
        client_secret: state.clientSecret,
        redirect_uris: [redirectUris].flat(),
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: {
      openid: ['sub', 'acr', 'amr'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      groups: ['groups'],
    },
    pkce: { required: () => true },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const account = [...state.accounts.values()].find((a) => a.sub === sub);
      return account && { accountId: sub, claims: async () => ({ ...account }) };
    },
  });
  provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (ctx.path === '/token' && state.forge && body?.id_token)
      body.id_token = await reSign(body.id_token, state.forge, privateKey as CryptoKey);
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (req.method === 'GET' && req.url?.startsWith('/interaction/')) {
      finishInteraction(provider, state, req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
      return;
    }
    callback(req, res);
  });
  return state;
}

type Req = Parameters<Provider['interactionDetails']>[0];
type Res = Parameters<Provider['interactionDetails']>[1];

/** Signs `nextLogin` in, then consents to everything asked. */
async function finishInteraction(provider: Provider, state: TestUpstream, req: Req, res: Res) {
  const details = await provider.interactionDetails(req, res);
  const account = state.accounts.get(state.nextLogin);
  if (!account) throw new Error(`no upstream account ${state.nextLogin}`);
  if (details.prompt.name === 'login') {
    const login = {
      accountId: account.sub,
      ...(account.amr ? { amr: account.amr } : {}),
      ...(account.acr ? { acr: account.acr } : {}),
    };
    return provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
  }
  const grant = new provider.Grant({ accountId: account.sub, clientId: String(details.params.client_id) });
  const missing = (details.prompt.details as { missingOIDCScope?: string[] }).missingOIDCScope ?? [];
  grant.addOIDCScope(missing.join(' '));
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}
