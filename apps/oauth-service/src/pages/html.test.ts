import { describe, expect, it } from 'vitest';
import { page } from './html.ts';

// The sign-in, consent and error pages' palette, light and dark (prefers-color-scheme): every text colour at
// WCAG AA (4.5:1) on the backgrounds it is drawn on.

const style = /<style>([\s\S]*?)<\/style>/.exec(page('t', ''))![1]!;

function palette(block: string): Record<string, string> {
  return Object.fromEntries([...block.matchAll(/--([\w-]+):(#[0-9a-f]{3,6})/gi)].map((m) => [m[1]!, m[2]!]));
}

const light = palette(/:root\{([^}]*)\}/.exec(style)![1]!);
const dark = { ...light, ...palette(/prefers-color-scheme:dark\)\{:root\{([^}]*)\}/.exec(style)![1]!) };

function luminance(hex: string): number {
  const full = hex.length === 4 ? [...hex.slice(1)].map((c) => c + c).join('') : hex.slice(1);
  const [r, g, b] = [0, 2, 4].map((i) => {
    const channel = Number.parseInt(full.slice(i, i + 2), 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

const contrast = (a: string, b: string) => {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return Math.round(((high! + 0.05) / (low! + 0.05)) * 100) / 100;
};

/** Text colour, background: the pairs the stylesheet draws. */
const PAIRS: Array<[string, string]> = [
  ['fg', 'card'],
  ['muted', 'card'],
  ['danger', 'card'],
  ['accent', 'card'],
  ['on-accent', 'accent'],
];

describe('oauth-service page palette', () => {
  for (const [scheme, colours] of Object.entries({ light, dark })) {
    it(`keeps text at 4.5:1 in the ${scheme} scheme`, () => {
      const below = PAIRS.map(([text, background]) => ({
        text,
        background,
        ratio: contrast(colours[text] ?? '#fff', colours[background]!),
      })).filter((pair) => pair.ratio < 4.5);
      expect(below).toEqual([]);
    });
  }
});
