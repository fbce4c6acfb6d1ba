import { createLocalJWKSet, errors, type JWTVerifyGetKey } from 'jose';
import { isKeySet } from './jwks-fetch.ts';
import { JwksFetchError } from './token-error.ts';
import type { KeySetLoader } from './verifier-options.ts';

export interface LocalKeysOptions {
  load: KeySetLoader;
  /** Minimum time between reloads caused by a kid the current set lacks. */
  cooldownMs: number;
  /** Milliseconds since the epoch. */
  now: () => number;
}

interface LoadedKeys {
  getKey: JWTVerifyGetKey;
  loadedAt: number;
}

/**
 * The key lookup for a verifier whose keys come from its own process (`keys` option) rather than a JWKS URL.
 * The set is loaded on first use and kept; a token naming an unknown kid reloads it, at most once per
 * `cooldownMs`, so a key that has just been published is found without every forged kid reaching the loader.
 * Concurrent reloads share one call. A failed load is not remembered: the next verification tries again.
 */
export function createLocalKeys(options: LocalKeysOptions): JWTVerifyGetKey {
  let current: LoadedKeys | undefined;
  let loading: Promise<LoadedKeys> | undefined;

  async function load(): Promise<LoadedKeys> {
    let set: unknown;
    try {
      set = await options.load();
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new JwksFetchError(`key set loader failed: ${detail}`, { cause: error });
    }
    if (!isKeySet(set)) throw new JwksFetchError('key set loader returned something that is not a JWKS');
    let getKey: JWTVerifyGetKey;
    try {
      getKey = createLocalJWKSet(set as Parameters<typeof createLocalJWKSet>[0]);
    } catch (error) {
      throw new JwksFetchError('key set loader returned an invalid JWKS', { cause: error });
    }
    current = { getKey, loadedAt: options.now() };
    return current;
  }

  function reload(): Promise<LoadedKeys> {
    loading ??= load().finally(() => {
      loading = undefined;
    });
    return loading;
  }

  return async (header, token) => {
    const keys = current ?? (await reload());
    try {
      return await keys.getKey(header, token);
    } catch (error) {
      const mayReload =
        error instanceof errors.JWKSNoMatchingKey && options.now() - keys.loadedAt >= options.cooldownMs;
      if (!mayReload) throw error;
      // Another verification may have reloaded meanwhile; then its set is the fresh one.
      const fresh = current && current !== keys ? current : await reload();
      return fresh.getKey(header, token);
    }
  };
}
