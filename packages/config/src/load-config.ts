import { z } from 'zod';
import { devSecretsInProduction } from './secrets.ts';

/** A reason a service cannot start that the operator must fix; reported as one line, without a stack. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** Thrown when the environment does not satisfy a service's schema; `message` is one line naming the variable. */
export class ConfigError extends StartupError {
  override name = 'ConfigError';
  readonly variables: string[];
  constructor(message: string, variables: string[]) {
    super(message);
    this.variables = variables;
  }
}

type Env = Record<string, string | undefined>;

/**
 * Validates the environment once, at start-up, against a zod object shape and returns the typed result.
 * This is the only place in the platform that reads `process.env` (docs/architecture.md, Conventions).
 */
export function loadConfig<S extends z.ZodRawShape>(
  shape: S,
  env: Env = process.env,
): z.infer<z.ZodObject<S>> {
  // Empty strings count as unset, so `FOO=` in an env file falls back to the default instead of failing oddly.
  const cleaned: Env = {};
  for (const [key, value] of Object.entries(env)) if (value !== '') cleaned[key] = value;
  const result = z.object(shape).safeParse(cleaned);
  if (result.success) {
    const refused = devSecretsInProduction(result.data, cleaned.NODE_ENV ?? 'development');
    if (refused.length > 0) {
      throw new ConfigError(
        `invalid configuration: ${refused.map((v) => `${v}: development default refused when NODE_ENV=production, set a real secret`).join('; ')}`,
        refused,
      );
    }
    return result.data;
  }
  const issues = result.error.issues.map((issue) => {
    const variable = issue.path.map(String).join('.') || '(environment)';
    return { variable, text: `${variable}: ${issue.message}` };
  });
  throw new ConfigError(
    `invalid configuration: ${issues.map((i) => i.text).join('; ')}`,
    issues.map((i) => i.variable),
  );
}

/**
 * Runs a service's entry point; a StartupError (ConfigError included) ends the process with a one-line message and exit code 1,
 * instead of a stack trace, so an operator sees exactly which variable to fix.
 */
export async function runMain(main: () => Promise<unknown>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof StartupError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
