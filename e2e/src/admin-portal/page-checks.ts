import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { ROOT } from '../platform-process.ts';

// Checks every console browser test runs on the pages it visits: axe-core in the page (no serious or
// critical violation), and the acceptance screenshots a reviewer opens without running anything.

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const BLOCKING = new Set(['serious', 'critical']);
/**
 * In-page: the page's own <html> is rendered, its title is in (Next.js streams a dynamic page's metadata after
 * its content), and no finite transition or animation is running (spinners loop forever).
 */
const SETTLED = `document.documentElement.lang !== '' && document.title !== '' && document.getAnimations().every((animation) =>
  animation.playState !== 'running' || animation.effect?.getComputedTiming().endTime === Infinity)`;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/** Runs axe-core (WCAG 2.x A and AA rules) on the page as it is now; fails on any serious or critical violation. */
export async function expectAccessible(page: Page) {
  // Next.js answers some 401/403 pages with an error shell (an <html> without lang or title) and renders the
  // page in the browser; colours mid-transition (a dialog fading out) are not what the user reads either.
  // Both settle in well under a second; a page that does not is checked as it is.
  await page
    .waitForFunction(SETTLED, undefined, { timeout: 5_000 })
    .catch(() => undefined /* checked as it is */);
  // Evaluated rather than added as a <script>: oauth-service's pages forbid inline scripts (CSP), and
  // evaluation from the test is not subject to the page's policy.
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(`window.axe
    .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
    .then((result) => result.violations.map(({ id, impact, help, nodes }) =>
      ({ id, impact, help, nodes: nodes.slice(0, 3).map(({ target }) => ({ target })) })))`)) as AxeViolation[];
  const blocking = violations
    .filter((violation) => BLOCKING.has(violation.impact ?? ''))
    .map(
      ({ id, impact, help, nodes }) =>
        `${impact} ${id}: ${help} at ${JSON.stringify(nodes.map((n) => n.target))}`,
    );
  expect(blocking, `axe-core on ${new URL(page.url()).pathname}`).toEqual([]);
}

// Beside browser.ts's ARTIFACTS, without importing it: browser.ts imports this module (signIn checks every
// page it passes through), and a cycle would read ARTIFACTS before it is defined.
export const ACCEPTANCE = join(ROOT, 'e2e', 'artifacts', 'admin-portal', 'acceptance');

/** Saves a screenshot of the viewport (what an operator sees without scrolling) as a run artifact. */
export async function saveAcceptanceScreenshot(page: Page, name: string) {
  mkdirSync(ACCEPTANCE, { recursive: true });
  const path = join(ACCEPTANCE, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path });
  return path;
}
