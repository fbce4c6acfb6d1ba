import { loadConfig, resourceServerShape, serviceShape } from '@platform/config';

// test-service's whole configuration, validated once at start-up (README, "Configuration").
export const configShape = {
  ...serviceShape('test-service', 3005),
  ...resourceServerShape,
};

export type TestServiceConfig = ReturnType<typeof loadTestServiceConfig>;

export function loadTestServiceConfig(env?: Record<string, string | undefined>) {
  const raw = loadConfig(configShape, env);
  const publicUrl = raw.PUBLIC_URL.replace(/\/+$/, '');
  return {
    ...raw,
    PUBLIC_URL: publicUrl,
    OAUTH_ISSUER: raw.OAUTH_ISSUER ?? publicUrl,
    TOKEN_AUDIENCE: raw.TOKEN_AUDIENCE ?? `${publicUrl}/test`,
  };
}
