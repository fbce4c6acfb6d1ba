// The Approvals inbox and the run page's approval and step views, end to end: the platform started the way
// the README starts it (bash scripts/start.sh), driven through the gateway by Chromium at 1440×900, once per
// database dialect. The admin starts the seeded `approval-demo` with the console's default input, sees the
// approval with its full message at the top of the run page, finds it in the Approvals inbox (counted in the
// navigation), approves it there and the run succeeds; a `hello-pipeline` run shows its last DAG box beside
// an open step panel, its 2-second delay as "2 s", and state badges that are not cut short.
import { randomBytes } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { signIn } from './browser.ts';
import { registerConsolePlatform } from './console-platform.ts';
import { expectAccessible, saveAcceptanceScreenshot } from './page-checks.ts';

const CONSOLE = 'http://localhost:8080/admin';
const STEP_TIMEOUT = 90_000;
const RUN_PATH = /^\/admin\/workflows\/runs\/([^/]+)$/;

const nodeState = (page: Page, step: string) =>
  page.getByTestId(`dag-node-${step}`).getAttribute('data-state');
const runState = (page: Page) => page.getByTestId('run-state').getAttribute('data-state');

/** Starts a run from the Workflows page with the form's default input; returns the run id it lands on. */
async function startRun(page: Page, definition: string): Promise<string> {
  await page.goto(`${CONSOLE}/workflows`);
  await page.getByRole('button', { name: `Start a run of ${definition}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Start', exact: true }).click();
  await page.waitForURL((url) => RUN_PATH.test(url.pathname));
  return decodeURIComponent(RUN_PATH.exec(new URL(page.url()).pathname)![1]!);
}

/** Badge labels in `selector` whose text is cut (ellipsis): their content is wider than their box. */
async function cutBadges(page: Page, selector: string): Promise<string[]> {
  // A string: e2e compiles without the DOM's types, and this runs in the page.
  return (await page.evaluate(`[...document.querySelectorAll(${JSON.stringify(`${selector} .mantine-Badge-label`)})]
    .filter((label) => label.scrollWidth > label.clientWidth + 1)
    .map((label) => label.textContent)`)) as string[];
}

/** How far a DAG box reaches past what its scroll container and the window show (0 when fully visible). */
async function hiddenPart(page: Page, step: string): Promise<number> {
  return (await page.evaluate(`(() => {
    const node = document.querySelector(${JSON.stringify(`[data-testid="dag-node-${step}"]`)});
    const box = node.getBoundingClientRect();
    const view = node.closest('svg').parentElement.getBoundingClientRect();
    return Math.max(0, box.right - Math.min(view.right, window.innerWidth), view.left - box.left);
  })()`)) as number;
}

describeEachDialect('admin-portal Approvals inbox and run page in Chromium', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const adminPassword = `approvals-console-${suffix}-Otter-5`;
  let admin: Page;
  let demoRun = '';
  const platform = registerConsolePlatform(temp, {
    name: 'approvals',
    adminPassword,
    databases: ['flow'],
    pages: () => ({ admin }),
  });

  beforeAll(async () => {
    admin = await platform.newPage({ viewport: { width: 1440, height: 900 } });
  });

  it(
    'signs the admin in to an empty Approvals inbox, an entry of the navigation',
    async () => {
      await admin.goto(`${CONSOLE}/workflows/approvals`);
      await signIn(admin, 'admin', adminPassword);
      expect(new URL(admin.url()).pathname).toBe('/admin/workflows/approvals');
      await expect.poll(() => admin.getByTestId('approvals-empty').isVisible()).toBe(true);
      const nav = admin.getByRole('navigation', { name: 'Console navigation' });
      const entry = nav.getByRole('link', { name: /^Approvals/ });
      expect(await entry.getAttribute('aria-current')).toBe('page');
      // Only the open page's entry is current, not Workflows above it.
      expect(await nav.locator('[aria-current="page"]').count()).toBe(1);
      await expectAccessible(admin);
    },
    STEP_TIMEOUT,
  );

  it(
    'shows a waiting approval at the top of its run page, its message in full, without clicking a step',
    async () => {
      demoRun = await startRun(admin, 'approval-demo');
      await expect.poll(() => nodeState(admin, 'request'), { timeout: 20_000 }).toBe('waiting');
      const pending = admin.getByTestId('pending-approval-request');
      await expect.poll(() => pending.isVisible()).toBe(true);
      await expect.poll(() => pending.getByTestId('approval-message').textContent()).toMatch(/\?$/);
      const message = (await pending.getByTestId('approval-message').textContent()) ?? '';
      expect(message).not.toMatch(/\s\?|\{\{|\s{2}/);
      expect(await pending.getByRole('button', { name: 'Approve', exact: true }).isVisible()).toBe(true);
      expect(await pending.getByRole('button', { name: 'Reject', exact: true }).isVisible()).toBe(true);
      // Above the fold: a decider sees it on arrival.
      const box = await pending.boundingBox();
      expect(box!.y + box!.height).toBeLessThanOrEqual(900);
      expect(await admin.getByTestId('step-panel').count()).toBe(0);
      await expectAccessible(admin);
    },
    STEP_TIMEOUT,
  );

  it(
    'lists the approval in the inbox with its message and starter, and approves it there',
    async () => {
      await admin.goto(`${CONSOLE}/workflows/approvals`);
      const nav = admin.getByRole('navigation', { name: 'Console navigation' });
      expect(await nav.getByRole('link', { name: /^Approvals/ }).textContent()).toContain('1 waiting');
      const card = admin.getByTestId(`approval-${demoRun}-request`);
      await expect.poll(() => card.isVisible()).toBe(true);
      expect(await card.getByTestId('approval-message').textContent()).toBe('Approve the demo change?');
      expect(await card.textContent()).toContain('Started by admin');
      await saveAcceptanceScreenshot(admin, 'approvals-inbox');
      await expectAccessible(admin);

      await card.getByRole('button', { name: 'Approve', exact: true }).click();
      const dialog = admin.getByRole('dialog');
      await dialog.getByLabel('Comment').fill(`from the inbox ${suffix}`);
      await expectAccessible(admin);
      await dialog.getByRole('button', { name: 'Approve', exact: true }).click();
      await expect.poll(() => admin.getByRole('status').textContent()).toContain('Approved');
      // The message can be dismissed, by a button with a name.
      await expectAccessible(admin);
      await expect.poll(() => admin.getByTestId('approvals-empty').isVisible()).toBe(true);

      await admin.goto(`${CONSOLE}/workflows/runs/${encodeURIComponent(demoRun)}`);
      await expect.poll(() => runState(admin), { timeout: 20_000 }).toBe('succeeded');
      expect(await admin.getByTestId('pending-approval-request').count()).toBe(0);
    },
    STEP_TIMEOUT,
  );

  it(
    'keeps the DAG’s last box in view beside an open step, shows a 2 s delay as 2 s, and cuts no badge',
    async () => {
      const runId = await startRun(admin, 'hello-pipeline');
      await expect.poll(() => runState(admin), { timeout: 30_000 }).toBe('succeeded');
      await admin.getByTestId('dag-node-join').click();
      const panel = admin.getByTestId('step-panel');
      await expect.poll(() => panel.getByTestId('step-state').getAttribute('data-state')).toBe('succeeded');
      expect(await hiddenPart(admin, 'join')).toBe(0);

      await admin.getByTestId('dag-node-right').click();
      await expect.poll(() => admin.getByRole('heading', { name: 'Step right' }).isVisible()).toBe(true);
      const attempt = panel.getByTestId('step-attempts').locator('tbody tr').first();
      await expect.poll(() => attempt.locator('td').nth(3).textContent()).toMatch(/^2(\.\d)? s$/);
      expect(await cutBadges(admin, '[data-testid="step-attempts"]')).toEqual([]);
      expect(await cutBadges(admin, '[data-testid^="step-row-"]')).toEqual([]);
      expect(await hiddenPart(admin, 'join')).toBe(0);
      expect(new URL(admin.url()).pathname).toBe(`/admin/workflows/runs/${encodeURIComponent(runId)}`);
      await expectAccessible(admin);
    },
    STEP_TIMEOUT,
  );
});
