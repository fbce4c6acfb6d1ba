import { Cron } from 'croner';

/** Checks a cron pattern and timezone; returns the error text, or null when both are valid. */
export function cronProblem(pattern: string, timezone: string): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    return `timezone "${timezone}" is not an IANA time zone`;
  }
  try {
    const job = new Cron(pattern, { timezone, paused: true });
    if (job.nextRun() === null) return `cron "${pattern}" never fires`;
    return null;
  } catch (error) {
    return `cron "${pattern}" is invalid: ${(error as Error).message}`;
  }
}

/** The first fire time strictly after `after`, in the schedule's time zone (croner handles DST). */
export function nextFire(pattern: string, timezone: string, after: number): number | null {
  const next = new Cron(pattern, { timezone, paused: true }).nextRun(new Date(after));
  return next ? next.getTime() : null;
}
