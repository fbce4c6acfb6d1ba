import type { RequestListener } from 'node:http';
import type Provider from 'oidc-provider';
import type { KeySet, KeyStore } from '../keys/key-store.ts';

// oidc-provider takes its keys when it is constructed. When the key set changes (a rotation on any instance,
// a pending key activating, an old one leaving the JWKS) a new provider is built with the new keys and swapped
// in; requests in flight finish on the old one. All provider state lives in the database, so the swap loses
// nothing. Every instance polls, so all of them converge on the same keys within one interval.

export interface ProviderHolder {
  provider(): Provider;
  handler(): RequestListener;
  /** Reloads now if the key set changed; returns whether it did. */
  refresh(): Promise<boolean>;
  stop(): void;
}

export async function createProviderHolder(options: {
  keyStore: KeyStore;
  build: (keys: KeySet, cookieKeys: string[]) => Provider;
  intervalMs?: number;
  onError?: (error: unknown) => void;
  onBuilt?: (provider: Provider, keys: KeySet) => void;
}): Promise<ProviderHolder> {
  const { keyStore, build } = options;

  async function make() {
    const keys = await keyStore.currentKeySet();
    const provider = build(keys, await keyStore.cookieKeys());
    options.onBuilt?.(provider, keys);
    return { provider, handler: provider.callback() as RequestListener, keys };
  }

  let state = await make();

  async function refresh(): Promise<boolean> {
    const keys = await keyStore.currentKeySet();
    if (keys.fingerprint === state.keys.fingerprint) return false;
    state = await make();
    return true;
  }

  const timer = setInterval(() => {
    refresh().catch((error) => options.onError?.(error));
  }, options.intervalMs ?? 10_000);
  timer.unref();

  return {
    provider: () => state.provider,
    handler: () => state.handler,
    refresh,
    stop: () => clearInterval(timer),
  };
}
