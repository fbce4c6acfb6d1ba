// Workflow definitions as a product, end to end: the platform started as the README starts it (bash
// scripts/start.sh), driven through the gateway by real Chromium, once per database dialect. The admin opens
// a seeded definition from the Workflows list (versions, DAG preview, source), edits it in the YAML editor,
// where flow-service's refusal marks the faulty line, fixes it and saves a new version; then adds, edits
// (a bad cron refused at its field first) and deletes a schedule. axe-core checks every page visited.
import { randomBytes } from 'node:crypto';
import { describeEachDialect } from '@platform/db/testing';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { signIn } from './browser.ts';
import { registerConsolePlatform } from './console-platform.ts';
import { expectAccessible, saveAcceptanceScreenshot } from './page-checks.ts';

const CONSOLE = 'http://localhost:8080/admin';
const DEFINITION = `${CONSOLE}/workflows/definitions/hello-pipeline`;
const STEP_TIMEOUT = 120_000;

/** Replaces the editor's whole text, as a paste would (no auto-indent or bracket closing on the way). */
async function replaceSource(page: Page, text: string) {
  await page.locator('.cm-content').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(text);
}

describeEachDialect('admin-portal workflow definitions in Chromium through the gateway', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const adminPassword = `definitions-console-${suffix}-Otter-5`;
  let admin: Page;
  const platform = registerConsolePlatform(temp, {
    name: 'definitions',
    adminPassword,
    databases: ['flow'],
    pages: () => ({ admin }),
  });

  beforeAll(async () => {
    admin = await platform.newPage({ viewport: { width: 1440, height: 900 } });
  });

  it(
    'opens a seeded definition from the list: its versions, DAG preview and source',
    async () => {
      await admin.goto(`${CONSOLE}/workflows`);
      await signIn(admin, 'admin', adminPassword);
      await admin.goto(`${CONSOLE}/workflows`);
      await admin
        .getByTestId('definition-hello-pipeline')
        .getByRole('link', { name: 'Hello pipeline' })
        .click();
      await admin.waitForURL(DEFINITION);
      await expect
        .poll(() => admin.getByRole('heading', { name: 'Hello pipeline', level: 2 }).isVisible())
        .toBe(true);
      for (const step of ['start', 'left', 'right', 'join'])
        expect(await admin.getByTestId(`definition-node-${step}`).isVisible()).toBe(true);
      expect(await admin.getByTestId('definition-version-1').getAttribute('aria-current')).toBe('true');
      expect(await admin.getByTestId('definition-source').textContent()).toContain(
        'dependsOn: [left, right]',
      );
      expect(await admin.getByText('No schedules.').isVisible()).toBe(true);
      await expectAccessible(admin);
    },
    STEP_TIMEOUT,
  );

  it(
    'edits it: a fault is marked at its line, the fixed text is saved as version 2',
    async () => {
      await admin.getByRole('link', { name: 'Edit', exact: true }).click();
      await admin.waitForURL(`${DEFINITION}/edit`);
      const editor = admin.getByTestId('definition-source-editor');
      await expect.poll(() => editor.textContent()).toContain('dependsOn: [left, right]');
      const original = (await admin.locator('.cm-line').allTextContents()).join('\n');
      await replaceSource(admin, original.replace('[left, right]', '[left, rigth]'));
      await admin.getByRole('button', { name: 'Validate' }).click();
      const faults = admin.getByTestId('definition-faults');
      await expect.poll(() => faults.isVisible()).toBe(true);
      expect(await faults.textContent()).toContain('Line 19, column 23: unknown step "rigth"');
      // The editor marks the line: a gutter marker and the faulty text underlined.
      await expect.poll(() => admin.locator('.cm-lint-marker-error').count()).toBe(1);
      expect(await admin.locator('.cm-lintRange-error').first().textContent()).toBe('rigth]');
      await expectAccessible(admin);
      await saveAcceptanceScreenshot(admin, 'definition-editor-error');

      // Saving the same text is refused the same way; nothing is stored.
      await admin.getByRole('button', { name: 'Save as new version' }).click();
      await expect.poll(() => faults.textContent()).toContain('Line 19, column 23');
      expect(new URL(admin.url()).pathname).toBe('/admin/workflows/definitions/hello-pipeline/edit');

      await replaceSource(admin, original.replace('name: Hello pipeline', 'name: Hello pipeline, edited'));
      await admin.getByRole('button', { name: 'Validate' }).click();
      await expect.poll(() => admin.getByTestId('definition-valid').isVisible()).toBe(true);
      await expect.poll(() => admin.locator('.cm-lint-marker-error').count()).toBe(0);
      await admin.getByRole('button', { name: 'Save as new version' }).click();
      await admin.waitForURL(`${DEFINITION}?version=2`);
      const heading = admin.getByRole('heading', { name: 'Hello pipeline, edited', level: 2 });
      await expect.poll(() => heading.isVisible()).toBe(true);
      expect(await admin.getByTestId('definition-version-2').getAttribute('aria-current')).toBe('true');
      expect(await admin.getByTestId('definition-version-1').getByRole('link').textContent()).toBe(
        'Version 1',
      );
      await expectAccessible(admin);
    },
    STEP_TIMEOUT,
  );

  it(
    'adds a schedule, refuses a bad cron at its field, edits and deletes it',
    async () => {
      await admin.goto(DEFINITION);
      await admin.getByRole('button', { name: 'Add schedule' }).click();
      let dialog = admin.getByRole('dialog');
      await dialog.getByLabel('Cron').fill('0 9 * * *');
      await dialog.getByRole('button', { name: 'Add schedule' }).click();
      const rows = admin.getByTestId('schedules').locator('tbody tr');
      await expect.poll(() => rows.count()).toBe(1);
      expect(await rows.first().textContent()).toContain('0 9 * * *');

      await rows
        .first()
        .getByRole('button', { name: /^Edit schedule/ })
        .click();
      dialog = admin.getByRole('dialog');
      await dialog.getByLabel('Cron').fill('every day at nine');
      await dialog.getByRole('button', { name: 'Save schedule' }).click();
      // flow-service's refusal, shown at the field it names.
      await expect.poll(() => dialog.getByText(/cron "every day at nine" is invalid/).isVisible()).toBe(true);
      await expectAccessible(admin);
      await dialog.getByLabel('Cron').fill('*/15 * * * *');
      await dialog.getByLabel('Input (JSON object)').fill('{"region": "eu"}');
      await dialog.getByRole('button', { name: 'Save schedule' }).click();
      await expect.poll(() => rows.first().textContent()).toContain('*/15 * * * *');
      expect(await rows.first().textContent()).toContain('{"region":"eu"}');

      await admin.goto(`${CONSOLE}/workflows/schedules`);
      const listed = admin.getByTestId('schedules').locator('tbody tr');
      await expect.poll(() => listed.count()).toBe(1);
      expect(await listed.first().getByRole('link', { name: 'hello-pipeline' }).isVisible()).toBe(true);
      await expectAccessible(admin);
      await listed
        .first()
        .getByRole('button', { name: /^Delete schedule/ })
        .click();
      dialog = admin.getByRole('dialog');
      expect(await dialog.textContent()).toContain(
        'Delete the schedule */15 * * * * (UTC) of hello-pipeline?',
      );
      await dialog.getByRole('button', { name: 'Delete schedule' }).click();
      await expect.poll(() => admin.getByText('No schedules.').isVisible()).toBe(true);
    },
    STEP_TIMEOUT,
  );
});
