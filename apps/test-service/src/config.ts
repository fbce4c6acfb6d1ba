import { loadConfig, resourceServerShape, resourceServerUrls, serviceShape } from '@platform/config';

// test-service's whole configuration, validated once at start-up (README, "Configuration").
export const configShape = {
  ...serviceShape('test-service', 3005),
  ...resourceServerShape,
};

export type TestServiceConfig = ReturnType<typeof loadTestServiceConfig>;

export function loadTestServiceConfig(env?: Record<string, string | undefined>) {
  const raw = loadConfig(configShape, env);
  return { ...raw, ...resourceServerUrls(raw, 'test') };
}
