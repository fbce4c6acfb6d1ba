// The console's Workflows page, end to end: the platform started the way the README starts it (bash
// scripts/start.sh), driven through the gateway by real Chromium, once per database dialect. The admin signs
// in (the portal gets a flow-audience token server-side), starts the seeded `approval-demo` definition with
// JSON input and an Idempotency-Key, sees the DAG with the approval step waiting, approves it with a comment
// and watches the run succeed live (in a second tab that does nothing but listen), cancels another run and
// reruns it, filters the runs list by state; a user without flow permissions gets neither the page nor its
// event stream. A failing step saves screenshots and the platform log under e2e/artifacts/admin-portal/.
import { randomBytes } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { saveScreenshots, setAccessTokenLifetime, signIn } from './browser.ts';
import { registerConsolePlatform } from './console-platform.ts';
import { expectAccessible } from './page-checks.ts';

const CONSOLE = 'http://localhost:8080/admin';
const STEP_TIMEOUT = 90_000;
const JWT = /eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}/;
const RUN_PATH = /^\/admin\/workflows\/runs\/([^/]+)$/;

const nodeState = (page: Page, step: string) =>
  page.getByTestId(`dag-node-${step}`).getAttribute('data-state');
const runState = (page: Page) => page.getByTestId('run-state').getAttribute('data-state');

/** Opens "Start run" for a definition, fills the form and submits; returns the run id it lands on. */
async function startRun(page: Page, definition: string, input: string, key?: string): Promise<string> {
  await page.goto(`${CONSOLE}/workflows`);
  await page.getByRole('button', { name: `Start a run of ${definition}` }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Input (JSON)').fill(input);
  if (key !== undefined) await dialog.getByLabel('Idempotency key').fill(key);
  await dialog.getByRole('button', { name: 'Start', exact: true }).click();
  await page.waitForURL((url) => RUN_PATH.test(url.pathname));
  return decodeURIComponent(RUN_PATH.exec(new URL(page.url()).pathname)![1]!);
}

describeEachDialect('admin-portal Workflows page in Chromium through the gateway', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const adminPassword = `workflow-console-${suffix}-Horse-7`;
  const outsider = { username: `noflow-${suffix}`, password: `lantern-${suffix}-orbit-canyon-4` };
  let adminContext: BrowserContext;
  let admin: Page;
  let watcher: Page | undefined;
  let outsiderPage: Page | undefined;
  let approvedRun = '';
  let cancelledRun = '';
  const platform = registerConsolePlatform(temp, {
    name: 'workflows',
    adminPassword,
    databases: ['flow'],
    pages: () => ({ admin, watcher, outsider: outsiderPage }),
  });

  beforeAll(async () => {
    adminContext = await platform.browser.newContext();
    admin = await adminContext.newPage();
  });

  it(
    'signs the admin in and shows Workflows in the navigation with the seeded definitions',
    async () => {
      const response = await admin.goto(`${CONSOLE}/workflows`);
      expect(response?.ok()).toBe(true);
      expect(new URL(admin.url()).pathname).toMatch(/^\/interaction\//);
      await expectAccessible(admin);
      await admin.locator('#login').fill('admin');
      await admin.locator('#password').fill(adminPassword);
      await admin.getByRole('button', { name: 'Sign in' }).click();
      // No consent page: the console is first-party; its grant names the admin API and flow-service.
      await admin.waitForURL((url) => url.pathname.startsWith('/admin'));
      expect(new URL(admin.url()).pathname).toBe('/admin/workflows');
      const nav = admin.getByRole('navigation', { name: 'Console navigation' });
      await expect.poll(() => nav.getByRole('link', { name: 'Workflows' }).isVisible()).toBe(true);
      const row = admin.getByTestId('definition-approval-demo');
      await expect.poll(() => row.isVisible()).toBe(true);
      const cells = await row.locator('td').allTextContents();
      // Definition, version, step count.
      expect(cells[0]).toContain('approval-demo');
      expect(cells[1]).toBe('1');
      expect(cells[2]).toBe('2');
      expect(await admin.getByTestId('definition-hello-pipeline').locator('td').nth(2).textContent()).toBe(
        '4',
      );
      await expectAccessible(admin);

      // The flow token stays on the server: no JWT in the page, the sealed cookie still fits a browser's limit.
      expect(await admin.content()).not.toMatch(JWT);
      const session = (await adminContext.cookies(CONSOLE)).find((c) => c.name === 'portal_session');
      expect(session?.httpOnly).toBe(true);
      // Browsers drop cookies over 4096 bytes (name + value): the sealed admin, flow and ID tokens must fit.
      expect(session!.name.length + session!.value.length).toBeLessThan(4096);
      console.info(`portal_session cookie with the flow token: ${session!.value.length} bytes`);
    },
    STEP_TIMEOUT,
  );

  it(
    'starts approval-demo with validated JSON input and an idempotency key, and shows the approval waiting',
    async () => {
      await admin.goto(`${CONSOLE}/workflows`);
      await admin.getByRole('button', { name: 'Start a run of approval-demo' }).click();
      const dialog = admin.getByRole('dialog');
      await dialog.getByLabel('Input (JSON)').fill('{"change": ');
      await dialog.getByRole('button', { name: 'Start', exact: true }).click();
      await expect.poll(() => dialog.getByText(/Not valid JSON/).isVisible()).toBe(true);
      await expectAccessible(admin);
      expect(new URL(admin.url()).pathname).toBe('/admin/workflows');
      await admin.keyboard.press('Escape');

      const key = `e2e-${suffix}-approve`;
      approvedRun = await startRun(admin, 'approval-demo', '{"change": "CHG-42"}', key);
      await expect.poll(() => nodeState(admin, 'request'), { timeout: 20_000 }).toBe('waiting');
      expect(await nodeState(admin, 'apply')).toBe('pending');
      await expect.poll(() => runState(admin)).toBe('waiting');
      await expect.poll(() => admin.getByTestId('live-status').textContent()).toBe('Live');
      expect(await admin.content()).not.toMatch(JWT);
      await expectAccessible(admin);

      // The same Idempotency-Key returns the same run instead of starting another.
      expect(await startRun(admin, 'approval-demo', '{"change": "CHG-42"}', key)).toBe(approvedRun);
    },
    STEP_TIMEOUT,
  );

  it(
    'approves the waiting step with a comment and the run succeeds live',
    async () => {
      // A second tab that only watches: whatever changes there arrives through the event stream.
      watcher = await adminContext.newPage();
      await watcher.goto(`${CONSOLE}/workflows/runs/${encodeURIComponent(approvedRun)}`);
      await expect.poll(() => watcher!.getByTestId('live-status').textContent()).toBe('Live');
      expect(await nodeState(watcher, 'request')).toBe('waiting');

      await admin.goto(`${CONSOLE}/workflows/runs/${encodeURIComponent(approvedRun)}`);
      await admin.getByTestId('dag-node-request').click();
      const panel = admin.getByTestId('step-panel');
      await expect.poll(() => panel.getByTestId('step-state').getAttribute('data-state')).toBe('waiting');
      await expectAccessible(admin);
      await panel.getByRole('button', { name: 'Approve', exact: true }).click();
      const dialog = admin.getByRole('dialog');
      await dialog.getByLabel('Comment').fill(`ship it ${suffix}`);
      await expectAccessible(admin);
      await dialog.getByRole('button', { name: 'Approve', exact: true }).click();

      await expect.poll(() => runState(admin), { timeout: 20_000 }).toBe('succeeded');
      expect(await nodeState(admin, 'request')).toBe('succeeded');
      await expect.poll(() => nodeState(admin, 'apply')).toBe('succeeded');
      await expect
        .poll(() => panel.getByTestId('step-decision').textContent())
        .toContain(`ship it ${suffix}`);
      // The step's attempts, with their state and duration.
      const attempts = panel.getByTestId('step-attempts').locator('tbody tr');
      await expect.poll(() => attempts.count()).toBe(1);
      expect(await attempts.first().locator('td').nth(1).textContent()).toBe('Succeeded');
      // The approval's attempt lasted from the wait's start to the decision.
      expect(await attempts.first().locator('td').nth(3).textContent()).toMatch(/^(\d+ ms|\d+(\.\d)? s)$/);
      await expectAccessible(admin);

      // The watching tab followed without a reload.
      await expect.poll(() => runState(watcher!), { timeout: 20_000 }).toBe('succeeded');
      expect(await nodeState(watcher, 'request')).toBe('succeeded');
      await expect.poll(() => nodeState(watcher!, 'apply')).toBe('succeeded');
      await watcher.close();
    },
    STEP_TIMEOUT,
  );

  it(
    'cancels another run after confirming, then reruns it',
    async () => {
      cancelledRun = await startRun(admin, 'approval-demo', '{"change": "CHG-43"}');
      await expect.poll(() => nodeState(admin, 'request'), { timeout: 20_000 }).toBe('waiting');
      await admin.getByRole('button', { name: 'Cancel run', exact: true }).click();
      const dialog = admin.getByRole('dialog');
      await expect.poll(() => dialog.getByText('Cancel this run?').isVisible()).toBe(true);
      await expectAccessible(admin);
      // Backing out changes nothing.
      await dialog.getByRole('button', { name: 'Back' }).click();
      expect(await runState(admin)).toBe('waiting');
      await admin.getByRole('button', { name: 'Cancel run', exact: true }).click();
      await admin.getByRole('dialog').getByRole('button', { name: 'Cancel run', exact: true }).click();
      await expect.poll(() => runState(admin), { timeout: 20_000 }).toBe('cancelled');
      await expect.poll(() => nodeState(admin, 'request')).toBe('cancelled');
      // The stream can report the cancellation before the confirm dialog (its button is also "Cancel run")
      // has closed; once it has, no cancel button is left on a finished run.
      await expect.poll(() => admin.getByRole('button', { name: 'Cancel run', exact: true }).count()).toBe(0);
      expect(await admin.getByRole('button', { name: 'Retry from failed step' }).isVisible()).toBe(true);

      await admin.getByRole('button', { name: 'Rerun', exact: true }).click();
      await admin.waitForURL(
        (url) => RUN_PATH.test(url.pathname) && !url.pathname.endsWith(encodeURIComponent(cancelledRun)),
      );
      await expect.poll(() => nodeState(admin, 'request'), { timeout: 20_000 }).toBe('waiting');
      expect(await admin.getByText(`Rerun of ${cancelledRun}`).isVisible()).toBe(true);
      await expectAccessible(admin);
    },
    STEP_TIMEOUT,
  );

  it(
    'lists runs filtered by state, with paging links',
    async () => {
      await admin.goto(`${CONSOLE}/workflows/runs?state=cancelled`);
      await expect.poll(() => admin.getByTestId(`run-${cancelledRun}`).isVisible()).toBe(true);
      expect(await admin.getByTestId(`run-${approvedRun}`).count()).toBe(0);
      await expectAccessible(admin);
      await admin.goto(`${CONSOLE}/workflows/runs?state=succeeded&definition=approval-demo`);
      await expect.poll(() => admin.getByTestId(`run-${approvedRun}`).isVisible()).toBe(true);
      expect(await admin.getByTestId(`run-${cancelledRun}`).count()).toBe(0);
      // An invalid filter is reported, not sent on.
      await admin.goto(`${CONSOLE}/workflows/runs?state=paused`);
      await expect
        .poll(() => admin.getByText('Some filters are invalid and were ignored.').isVisible())
        .toBe(true);
      await expect.poll(() => admin.getByTestId(`run-${approvedRun}`).isVisible()).toBe(true);
      await expectAccessible(admin);
    },
    STEP_TIMEOUT,
  );

  it(
    'keeps a run live across flow token expiry: silent refresh, and the event stream reconnects',
    async () => {
      // flow tokens now live 30 s (the shortest allowed), so the portal refreshes them in the second half of
      // their life: the relay of the event stream ends when its token expires and the browser's reconnect
      // gets a fresh one. Meanwhile the page's concurrent requests refresh the same session (and rotate its
      // refresh token) without ending it.
      await setAccessTokenLifetime(admin, CONSOLE, 'flow', 30);

      const context = await platform.browser.newContext();
      watcher = await context.newPage();
      // What the watching page's event stream did, for the failure message: when a reconnect does not come
      // back, this says whether it was refused, broken or never made.
      const started = Date.now();
      const trace: string[] = [];
      const note = (what: string) => trace.push(`${((Date.now() - started) / 1000).toFixed(1)} s ${what}`);
      const isStream = (url: string) => url.endsWith('/events');
      watcher.on('request', (r) => isStream(r.url()) && note('stream request'));
      watcher.on('response', (r) => isStream(r.url()) && note(`stream response ${r.status()}`));
      watcher.on('requestfinished', (r) => isStream(r.url()) && note('stream ended'));
      watcher.on(
        'requestfailed',
        (r) => isStream(r.url()) && note(`stream failed: ${r.failure()?.errorText}`),
      );
      watcher.on('pageerror', (error) => note(`page error: ${error.message}`));
      watcher.on('console', (message) => message.type() === 'error' && note(`console: ${message.text()}`));
      watcher.on('framenavigated', (frame) => frame === watcher?.mainFrame() && note(`at ${frame.url()}`));
      try {
        await watcher.goto(`${CONSOLE}/workflows`);
        await signIn(watcher, 'admin', adminPassword);
        const runId = await startRun(watcher, 'approval-demo', '{"change": "CHG-44"}');
        await expect.poll(() => nodeState(watcher!, 'request'), { timeout: 20_000 }).toBe('waiting');
        await expect.poll(() => watcher!.getByTestId('live-status').textContent()).toBe('Live');
        await new Promise((resolve) => setTimeout(resolve, 35_000));

        // The first relay has ended (the gateway logs a request when it completes) while the page stays open:
        // the portal closed it at the token's expiry, and the page is live again on a new one.
        const streamPath = `/admin/workflows/runs/${encodeURIComponent(runId)}/events`;
        expect(
          platform
            .output()
            .split('\n')
            .filter((line) => line.includes(`"path":"${streamPath}"`)).length,
        ).toBeGreaterThanOrEqual(1);
        // The relay ended up to ~30 s after the page went live; the browser waits the stream's `retry` (2 s)
        // and the reconnect refreshes the session's tokens one after another before it answers: on a loaded CI machine that
        // can take longer than the 5 s this sleep leaves, so wait for it (a reconnect that is refused ends in
        // "Live updates stopped", never "Live").
        await expect
          .poll(() => watcher!.getByTestId('live-status').textContent(), { timeout: 20_000 })
          .toBe('Live')
          .catch(async (error: Error) => {
            await saveScreenshots(
              [{ name: 'watcher', page: watcher }],
              `workflows-${temp().dialect}-watcher`,
            );
            const status = await watcher!
              .getByTestId('live-status')
              .textContent({ timeout: 1_000 })
              .catch(() => null);
            throw new Error(`"${status}" instead of "Live"; the event stream: ${trace.join('; ')}`, {
              cause: error,
            });
          });

        // Decided from the other session; the watching page learns it from its (reconnected) stream.
        await admin.goto(`${CONSOLE}/workflows/runs/${encodeURIComponent(runId)}`);
        await admin.getByTestId('dag-node-request').click();
        await admin.getByTestId('step-panel').getByRole('button', { name: 'Approve', exact: true }).click();
        await admin.getByRole('dialog').getByRole('button', { name: 'Approve', exact: true }).click();
        await expect.poll(() => runState(watcher!), { timeout: 20_000 }).toBe('succeeded');
        await expect.poll(() => nodeState(watcher!, 'apply')).toBe('succeeded');

        // Pages keep working with the refreshed flow token, and no rotated refresh token was used twice.
        const response = await watcher.goto(`${CONSOLE}/workflows`);
        expect(response?.status()).toBe(200);
        await expect.poll(() => watcher!.getByTestId('definition-approval-demo').isVisible()).toBe(true);
        await admin.goto(`${CONSOLE}/audit?action=refresh_token.reuse_detected`);
        expect(await admin.getByTestId('audit-events').locator('tr').count()).toBe(0);
      } finally {
        await context.close();
        watcher = undefined;
      }
    },
    STEP_TIMEOUT,
  );

  it(
    'gives a user without flow permissions neither the page, its actions nor the event stream',
    async () => {
      await admin.goto(`${CONSOLE}/users/new`);
      await admin.locator('#field-username').fill(outsider.username);
      await admin.locator('#field-email').fill(`${outsider.username}@example.com`);
      await admin.locator('#field-password').fill(outsider.password);
      await admin.locator('#field-must_change_password').uncheck();
      await admin.getByRole('button', { name: 'Create user' }).click();
      await admin.waitForURL(/\/admin\/users\/[^/]+\?created=1$/);

      const context = await platform.browser.newContext();
      outsiderPage = await context.newPage();
      await outsiderPage.goto(`${CONSOLE}/workflows`);
      await signIn(outsiderPage, outsider.username, outsider.password);
      // Polled: the 403 page is rendered in the browser from Next.js's error shell.
      await expect
        .poll(() => outsiderPage!.getByRole('heading', { name: '403 — Not allowed' }).isVisible())
        .toBe(true);
      await expectAccessible(outsiderPage);
      expect(await outsiderPage.getByRole('link', { name: 'Workflows' }).count()).toBe(0);
      const stream = await outsiderPage.request.get(
        `${CONSOLE}/workflows/runs/${encodeURIComponent(approvedRun)}/events`,
      );
      expect(stream.status()).toBe(403);
      // Without any session: 401, no stream.
      const anonymous = await fetch(`${CONSOLE}/workflows/runs/${encodeURIComponent(approvedRun)}/events`, {
        headers: { accept: 'text/event-stream' },
        redirect: 'manual',
      });
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('content-type')).not.toContain('text/event-stream');
      await context.close();
    },
    STEP_TIMEOUT,
  );
});
