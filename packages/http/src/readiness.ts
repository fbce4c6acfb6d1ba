import type { ReadinessCheck } from './options.ts';

export type CheckStatus = 'ok' | 'failed' | 'timed_out';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckStatus>;
  /** Why each failing check failed; for the log only, never for the client. */
  failures: Record<string, unknown>;
}

class CheckTimeout extends Error {
  override name = 'CheckTimeout';
}

async function runOne(check: ReadinessCheck, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    // `Promise.resolve().then` turns a check that throws synchronously into a rejection like any other.
    await Promise.race([Promise.resolve().then(check), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check concurrently; each one that rejects or outlives `timeoutMs` makes the service not ready. */
export async function runReadinessChecks(
  checks: Record<string, ReadinessCheck>,
  timeoutMs: number,
): Promise<ReadinessReport> {
  const names = Object.keys(checks);
  const outcomes = await Promise.allSettled(
    names.map((name) => runOne(checks[name] as ReadinessCheck, timeoutMs)),
  );

  const report: ReadinessReport = { ready: true, checks: {}, failures: {} };
  outcomes.forEach((outcome, index) => {
    const name = names[index] as string;
    if (outcome.status === 'fulfilled') {
      report.checks[name] = 'ok';
      return;
    }
    report.ready = false;
    report.checks[name] = outcome.reason instanceof CheckTimeout ? 'timed_out' : 'failed';
    report.failures[name] = outcome.reason;
  });
  return report;
}
