import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { ARTIFACTS } from './browser.ts';

// Checks every console browser test runs on the pages it visits: axe-core in the page (no serious or
// critical violation), and the acceptance screenshots a reviewer opens without running anything.

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const BLOCKING = new Set(['serious', 'critical']);

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/** Runs axe-core (WCAG 2.x A and AA rules) on the page as it is now; fails on any serious or critical violation. */
export async function expectAccessible(page: Page) {
  if (!(await page.evaluate('typeof window.axe === "object"')))
    await page.addScriptTag({ content: AXE_SOURCE });
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

export const ACCEPTANCE = join(ARTIFACTS, 'acceptance');

/** Saves a screenshot of the viewport (what an operator sees without scrolling) as a run artifact. */
export async function saveAcceptanceScreenshot(page: Page, name: string) {
  mkdirSync(ACCEPTANCE, { recursive: true });
  const path = join(ACCEPTANCE, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path });
  return path;
}
