// The console's Markets page (a browser test): the platform started the way the README starts it
// (bash scripts/start.sh), real Chromium through the gateway, once per database dialect. Trades go into
// kline-service with the seeded flow-service machine client (client_credentials, kline:write); the seeded
// admin signs in, opens Markets from the navigation, and the test checks through the page that candles are
// drawn (coloured candle pixels on the chart's canvas, the "N candles" status), that a new trade shows up
// live over the WebSocket, and that dragging the chart to its left edge loads older history. It also checks
// that no token reaches the browser: REST and the live feed go through the portal's relays with the session
// cookie, and the WebSocket relay refuses other origins. A failing step saves screenshots under
// e2e/artifacts/admin-portal/ (git-ignored; the path is printed).
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeEachDialect } from '@platform/db/testing';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ARTIFACTS, signIn } from './browser.ts';
import { registerConsolePlatform } from './console-platform.ts';
import { expectAccessible } from './page-checks.ts';

const PUBLIC_URL = 'http://localhost:8080';
const CONSOLE = `${PUBLIC_URL}/admin`;
const STEP_TIMEOUT = 120_000;
const MINUTE = 60_000;
const SYMBOL = 'BTCUSDT';
/** Minutes of history ingested: more than one page (500) so scrolling left has something to load. */
const HISTORY = 700;
/** The chart's candle colours (components/markets/candle-chart.tsx): up and down. */
const CANDLE_COLORS = [
  [0x12, 0xb8, 0x86],
  [0xfa, 0x52, 0x52],
];

// In-page code (the e2e project has no DOM types, so it is passed as source, as console.test.ts does).
/** How many canvas pixels of the chart have the rarer of the two candle colours (`min`), or either (`sum`). */
const CANDLE_PIXELS = `(colors, mode = 'min') => {
  const matches = colors.map(() => 0);
  for (const canvas of document.querySelectorAll('[data-testid="markets-chart"] canvas')) {
    if (!canvas.width || !canvas.height) continue;
    const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
    if (!data) continue;
    for (let i = 0; i < data.length; i += 4) {
      colors.forEach(([r, g, b], k) => {
        if (Math.abs(data[i] - r) < 8 && Math.abs(data[i + 1] - g) < 8 && Math.abs(data[i + 2] - b) < 8 && data[i + 3] > 200)
          matches[k] += 1;
      });
    }
  }
  return mode === 'sum' ? matches[0] + matches[1] : Math.min(...matches);
}`;
/** Distinct colours and the share of non-white pixels of a PNG (the chart's screenshot), decoded by Chromium. */
const IMAGE_STATS = `async (png) => {
  const image = new Image();
  image.src = 'data:image/png;base64,' + png;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  const colours = new Set();
  let nonWhite = 0;
  for (let i = 0; i < data.length; i += 4) {
    colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    if (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240) nonWhite += 1;
  }
  return { colours: colours.size, nonWhiteShare: nonWhite / (data.length / 4) };
}`;
/** A relay answer, fetched by the page itself (same origin, with its session cookie). */
const FETCH_RELAY = `(async () => {
  const symbols = await fetch('/admin/markets/api/symbols', { cache: 'no-store' });
  const token = await fetch('/admin/markets/token', { cache: 'no-store' });
  return { status: symbols.status, text: await symbols.text(), tokenRoute: token.status, cookies: document.cookie };
})()`;

describeEachDialect('admin-portal Markets page in Chromium through the gateway', (temp) => {
  const suffix = randomBytes(3).toString('hex');
  const adminPassword = `markets-${suffix}-copper-lantern-9`;
  let context: BrowserContext;
  let page: Page;
  let writeToken = '';
  /** Open time of the newest history candle: the live trade goes into a later minute. */
  let lastHistoryMinute = 0;
  const platform = registerConsolePlatform(temp, {
    name: 'markets',
    adminPassword,
    databases: ['kline'],
    pages: () => ({ markets: page }),
  });

  async function ingest(trades: Array<{ id: number; price: string; qty: string; time: number }>) {
    const response = await fetch(`${PUBLIC_URL}/kline/api/v1/trades`, {
      method: 'POST',
      headers: { authorization: `Bearer ${writeToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        trades: trades.map((t) => ({ symbol: SYMBOL, takerSide: t.id % 2 ? 'buy' : 'sell', ...t })),
      }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as { accepted: number; duplicates: number };
  }

  const status = () => page.getByTestId('markets-status');
  const candleCount = async () => Number((await status().getAttribute('data-candles')) ?? Number.NaN);

  beforeAll(async () => {
    const machineSecret = /client "flow-service" secret \(shown once\): (\S+)/.exec(platform.output())?.[1];
    expect(machineSecret).toBeTruthy();
    const token = await fetch(`${PUBLIC_URL}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`flow-service:${machineSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        resource: `${PUBLIC_URL}/kline`,
        scope: 'kline:write',
      }),
    });
    expect(token.status).toBe(200);
    writeToken = ((await token.json()) as { access_token: string }).access_token;
    context = await platform.browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
  });

  it(
    'ingests a random walk of trades, one per minute, through the gateway',
    async () => {
      const now = Date.now();
      lastHistoryMinute = Math.floor(now / MINUTE) * MINUTE - 5 * MINUTE;
      let price = 42_000;
      const trades = Array.from({ length: HISTORY }, (_, i) => {
        // A deterministic walk that goes both ways, so both candle colours are drawn.
        price += Math.round(Math.sin(i / 7) * 40 + (i % 3) - 1);
        return {
          id: i + 1,
          price: `${price}.5`,
          qty: `0.${(i % 9) + 1}`,
          time: lastHistoryMinute - (HISTORY - 1 - i) * MINUTE + 1_000 + (i % 50) * 100,
        };
      });
      // Two trades per minute: an open and a different close, so the candles have bodies.
      const closes = trades.map((t, i) => ({
        id: HISTORY + i + 1,
        price: `${Number(t.price) + (i % 2 ? 25 : -25)}`,
        qty: '0.25',
        time: t.time + 30_000,
      }));
      expect(await ingest([...trades, ...closes])).toEqual({ accepted: 2 * HISTORY, duplicates: 0 });
    },
    STEP_TIMEOUT,
  );

  it(
    'shows Markets in the admin navigation and draws the latest page of candles with volume',
    async () => {
      await page.goto(`${CONSOLE}/`);
      await expectAccessible(page);
      await page.getByRole('link', { name: 'Sign in' }).click();
      await signIn(page, 'admin', adminPassword);
      const nav = page.getByRole('navigation', { name: 'Console navigation' });
      await expect.poll(() => nav.getByRole('link', { name: 'Markets' }).isVisible()).toBe(true);
      await nav.getByRole('link', { name: 'Markets' }).click();
      await page.waitForURL((url) => url.pathname === '/admin/markets');
      await expect
        .poll(() => page.getByRole('heading', { name: 'Markets', level: 2 }).isVisible())
        .toBe(true);

      // The pickers come from the symbols endpoint; the first page is PAGE_SIZE (500) candles.
      await expect.poll(candleCount, { timeout: 30_000 }).toBe(500);
      expect(await page.getByRole('combobox', { name: 'Symbol' }).inputValue()).toBe(SYMBOL);
      expect(await page.getByRole('combobox', { name: 'Interval' }).inputValue()).toBe('1m');
      expect(await status().textContent()).toMatch(/^500 candles · last close /);
      expect(new URL(page.url()).searchParams.get('symbol')).toBe(SYMBOL);

      // Not blank: the chart's canvases hold many pixels in the candle colours (up and down), and the
      // screenshot varies.
      await expect
        .poll(() => page.evaluate<number>(`(${CANDLE_PIXELS})(${JSON.stringify(CANDLE_COLORS)})`), {
          timeout: 20_000,
        })
        .toBeGreaterThan(200);
      const shot = await page.getByTestId('markets-chart').screenshot();
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, `markets-${temp().dialect}.png`), shot);
      const distinct = await page.evaluate<{ colours: number; nonWhiteShare: number }>(
        `(${IMAGE_STATS})(${JSON.stringify(shot.toString('base64'))})`,
      );
      expect(distinct.colours).toBeGreaterThan(20);
      expect(distinct.nonWhiteShare).toBeGreaterThan(0.02);
      await expectAccessible(page);
    },
    STEP_TIMEOUT,
  );

  it(
    'keeps every token on the server: the page reads kline-service through the relays, with its cookie only',
    async () => {
      const answer = await page.evaluate<{
        status: number;
        text: string;
        tokenRoute: number;
        cookies: string;
      }>(FETCH_RELAY);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text).symbols.map((s: { symbol: string }) => s.symbol)).toContain(SYMBOL);
      expect(answer.tokenRoute).toBe(404);
      // Nothing JWT-shaped anywhere the page's JavaScript can read: answers, cookies, the HTML.
      for (const text of [answer.text, answer.cookies, await page.content()])
        expect(text).not.toMatch(/eyJ[\w-]+\./);
      const session = (await context.cookies(CONSOLE)).find((c) => c.name === 'portal_session');
      expect(session?.httpOnly).toBe(true);
      // The cookie seals more than one access token: it must stay well inside the 4 KiB browsers keep.
      expect(session!.value.length).toBeLessThan(3_800);

      // The WebSocket relay: the session cookie from the console's origin opens it; the same cookie sent by
      // another origin (cross-site WebSocket hijacking) is refused, and so is a handshake without a session.
      const cookie = `portal_session=${session!.value}`;
      const open = (origin: string, headers: Record<string, string>) =>
        new Promise<number>((resolve) => {
          const socket = new WebSocket(`${PUBLIC_URL.replace(/^http/, 'ws')}/admin/markets/ws`, {
            headers: { origin, ...headers },
          });
          socket.once('open', () => {
            socket.close();
            resolve(101);
          });
          socket.once('unexpected-response', (_request, response) => {
            resolve(response.statusCode ?? 0);
            socket.terminate();
          });
          socket.once('error', () => resolve(-1));
        });
      expect(await open(PUBLIC_URL, { cookie })).toBe(101);
      expect(await open('http://evil.test', { cookie })).toBe(403);
      expect(await open(PUBLIC_URL, {})).toBe(401);

      const anonymous = await fetch(`${CONSOLE}/markets/api/symbols`);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.text()).not.toMatch(/eyJ/);
    },
    STEP_TIMEOUT,
  );

  it(
    'updates the chart live when a new trade arrives over the WebSocket',
    async () => {
      await expect
        .poll(() => page.getByTestId('markets-live').getAttribute('data-live'), { timeout: 30_000 })
        .toBe('live');
      const before = await candleCount();
      const now = Date.now();
      expect(Math.floor(now / MINUTE) * MINUTE).toBeGreaterThan(lastHistoryMinute);
      await ingest([{ id: 10 * HISTORY, price: '43210.5', qty: '1.5', time: now }]);
      await expect.poll(candleCount, { timeout: 15_000 }).toBe(before + 1);
      expect(await status().getAttribute('data-last-close')).toBe('43210.5');
      // The same candle changing (same time, later id: the new close): the count stays, the close follows.
      await ingest([{ id: 10 * HISTORY + 1, price: '43111.25', qty: '0.5', time: now }]);
      await expect.poll(() => status().getAttribute('data-last-close'), { timeout: 15_000 }).toBe('43111.25');
      expect(await candleCount()).toBe(before + 1);
    },
    STEP_TIMEOUT,
  );

  it(
    'loads older history when the chart is dragged to its left edge',
    async () => {
      const before = await candleCount();
      const chart = page.getByTestId('markets-chart');
      const box = await chart.boundingBox();
      expect(box).not.toBeNull();
      const y = box!.y + box!.height / 3;
      // Dragging right moves the view towards older candles.
      for (let attempt = 0; attempt < 30 && (await candleCount()) <= before; attempt += 1) {
        await page.mouse.move(box!.x + 40, y);
        await page.mouse.down();
        await page.mouse.move(box!.x + box!.width - 120, y, { steps: 12 });
        await page.mouse.up();
        await page.waitForTimeout(200);
      }
      // Everything ingested is now drawn: the 700 history minutes and the live one(s).
      await expect.poll(candleCount, { timeout: 20_000 }).toBeGreaterThanOrEqual(HISTORY + 1);
      expect(await candleCount()).toBe(before + HISTORY - 500);
      await expect.poll(() => status().getAttribute('data-older')).toBe('done');
      expect(await status().textContent()).toContain('all history loaded');
    },
    STEP_TIMEOUT,
  );

  it(
    'switches the interval with the picker: hourly candles of the same trades',
    async () => {
      await page.getByRole('combobox', { name: 'Interval' }).click();
      await page.getByRole('option', { name: '1h', exact: true }).click();
      await expect.poll(() => new URL(page.url()).searchParams.get('interval')).toBe('1h');
      // 700 minutes of history plus the live minute span 12 to 14 hours, depending on the clock.
      await expect.poll(candleCount, { timeout: 20_000 }).toBeGreaterThanOrEqual(12);
      expect(await candleCount()).toBeLessThanOrEqual(14);
      expect(await status().getAttribute('data-last-close')).toBe('43111.25');
      await expect.poll(() => page.getByTestId('markets-live').getAttribute('data-live')).toBe('live');

      // Responsive: on a phone-sized screen the chart fills the width, nothing scrolls sideways, and the
      // candles are still drawn.
      await page.setViewportSize({ width: 390, height: 844 });
      // (The navigation collapses behind the burger and the chart follows its container: polled until settled.)
      await expect
        .poll(async () => {
          const width = (await page.getByTestId('markets-chart').boundingBox())?.width ?? 0;
          return width > 300 && width <= 390;
        })
        .toBe(true);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      // Hourly candles may all go one way, depending on the clock: any candle colour counts here.
      await expect
        .poll(() => page.evaluate<number>(`(${CANDLE_PIXELS})(${JSON.stringify(CANDLE_COLORS)}, 'sum')`))
        .toBeGreaterThan(200);
      await page.setViewportSize({ width: 1280, height: 900 });
    },
    STEP_TIMEOUT,
  );

  it(
    'shows Markets only to users whose roles hold kline:read',
    async () => {
      // Two users: one with the seeded `user` role (kline:read, no admin permission), one with a new role
      // holding admin:read only.
      const roleName = `auditor-${suffix}`;
      await page.goto(`${CONSOLE}/roles`);
      await page.locator('#field-name').first().fill(roleName);
      await page.locator('#field-description').first().fill('Reads the identity data, no markets');
      await page.getByLabel('admin:read', { exact: true }).check();
      await page.getByRole('button', { name: 'Create role' }).click();
      await page.waitForURL(/\/admin\/roles\/[^/]+$/);
      const people = [
        { username: `analyst-${suffix}`, password: `harbor-${suffix}-violet-engine-3`, role: 'user' },
        { username: `auditor-${suffix}`, password: `meadow-${suffix}-quartz-signal-5`, role: roleName },
      ];
      for (const who of people) {
        await page.goto(`${CONSOLE}/users/new`);
        await page.locator('#field-username').fill(who.username);
        await page.locator('#field-email').fill(`${who.username}@example.com`);
        await page.locator('#field-password').fill(who.password);
        await page.locator('#field-must_change_password').uncheck();
        await page.getByRole('button', { name: 'Create user' }).click();
        await page.waitForURL(/\/admin\/users\/[^/]+\?created=1$/);
        await page.getByLabel('Add a role').selectOption({ label: who.role });
        await page.getByRole('button', { name: 'Assign role' }).click();
        await expect.poll(() => page.getByTestId('user-roles').textContent()).toContain(who.role);
      }

      const signInAs = async (who: (typeof people)[number], colorScheme: 'light' | 'dark' = 'light') => {
        const other = await platform.browser.newContext({ colorScheme });
        const otherPage = await other.newPage();
        await otherPage.goto(`${CONSOLE}/`);
        await otherPage.getByRole('link', { name: 'Sign in' }).click();
        await signIn(otherPage, who.username, who.password);
        await expect
          .poll(() => otherPage.getByTestId('signed-in-user').textContent())
          .toContain(who.username);
        return { other, otherPage, nav: otherPage.getByRole('navigation', { name: 'Console navigation' }) };
      };

      // The analyst's system prefers dark: the page and the chart follow it.
      const analyst = await signInAs(people[0]!, 'dark');
      try {
        expect(await analyst.nav.getByRole('link', { name: 'Markets' }).isVisible()).toBe(true);
        expect(await analyst.nav.getByRole('link', { name: 'Users' }).count()).toBe(0);
        await analyst.nav.getByRole('link', { name: 'Markets' }).click();
        await expect
          .poll(
            async () =>
              Number(await analyst.otherPage.getByTestId('markets-status').getAttribute('data-candles')),
            {
              timeout: 30_000,
            },
          )
          .toBe(500);
        await expectAccessible(analyst.otherPage);
        const shot = await analyst.otherPage.getByTestId('markets-chart').screenshot();
        const stats = await analyst.otherPage.evaluate<{ nonWhiteShare: number }>(
          `(${IMAGE_STATS})(${JSON.stringify(shot.toString('base64'))})`,
        );
        expect(stats.nonWhiteShare, 'a dark chart background').toBeGreaterThan(0.9);
        expect((await analyst.otherPage.goto(`${CONSOLE}/users`))?.status()).toBe(403);
        await expectAccessible(analyst.otherPage);
      } finally {
        await analyst.other.close();
      }

      const auditor = await signInAs(people[1]!);
      try {
        expect(await auditor.nav.getByRole('link', { name: 'Users' }).isVisible()).toBe(true);
        expect(await auditor.nav.getByRole('link', { name: 'Markets' }).count()).toBe(0);
        expect((await auditor.otherPage.goto(`${CONSOLE}/markets`))?.status()).toBe(403);
        const relayed = await auditor.other.request.get(`${CONSOLE}/markets/api/symbols`);
        expect(relayed.status()).toBe(403);
        expect(await relayed.text()).not.toMatch(/eyJ/);
      } finally {
        await auditor.other.close();
      }
    },
    STEP_TIMEOUT,
  );
});
