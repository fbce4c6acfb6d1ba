import { z } from 'zod';

// Development defaults for secrets let `scripts/start.sh` run with no set-up; production must never run on
// them. The check needs NODE_ENV, so it runs on the whole config object (see `refuseDevSecrets`).

export const DEV_SECRET_PREFIX = 'dev-only-';

/** A secret with a development default; the default is marked so production can recognise and refuse it. */
export const secret = (devDefault: string, minLength = 32) =>
  z
    .string()
    .min(minLength, `must be at least ${minLength} characters`)
    .default(`${DEV_SECRET_PREFIX}${devDefault}`.padEnd(minLength, '-'));

export function isDevSecret(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith(DEV_SECRET_PREFIX);
}

/** Names of the variables that still hold a development default while NODE_ENV=production. */
export function devSecretsInProduction(config: Record<string, unknown>, nodeEnv: string): string[] {
  if (nodeEnv !== 'production') return [];
  return Object.entries(config)
    .filter(([, value]) => isDevSecret(value))
    .map(([key]) => key);
}
