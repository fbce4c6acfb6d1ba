import {
  DEFAULT_THEME,
  defaultCssVariablesResolver,
  getContrastColor,
  luminance,
  mergeMantineTheme,
} from '@mantine/core';
import { describe, expect, it } from 'vitest';
import { cssVariablesResolver, theme } from './theme.ts';

// WCAG AA for normal text: every text colour the theme defines against the backgrounds it is drawn on.

const merged = mergeMantineTheme(DEFAULT_THEME, theme);
const defaults = defaultCssVariablesResolver(merged);
const ours = cssVariablesResolver(merged);
const variables = {
  light: { ...defaults.variables, ...defaults.light, ...ours.variables, ...ours.light },
  dark: { ...defaults.variables, ...defaults.dark, ...ours.variables, ...ours.dark },
};
type Scheme = keyof typeof variables;

/** A colour value with `var(--mantine-color-<name>-<shade>)` and other theme variables resolved. */
function resolve(scheme: Scheme, value: string): string {
  const palette = /^var\(--mantine-color-([a-z]+)-(\d)\)$/.exec(value);
  if (palette) return merged.colors[palette[1]!]![Number(palette[2])]!;
  const variable = /^var\((--[\w-]+)\)$/.exec(value);
  if (variable) return resolve(scheme, (variables[scheme] as Record<string, string>)[variable[1]!]!);
  return value;
}

const contrast = (a: string, b: string) => {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
};

function ratio(scheme: Scheme, text: string, background: string): number {
  return Math.round(contrast(resolve(scheme, text), resolve(scheme, background)) * 100) / 100;
}

const COLORS = Object.keys(DEFAULT_THEME.colors);
const BACKGROUNDS = {
  light: ['#ffffff', 'var(--mantine-color-gray-0)'],
  dark: ['var(--mantine-color-dark-7)', 'var(--mantine-color-dark-6)'],
};

describe('theme contrast (4.5:1 for text)', () => {
  for (const scheme of ['light', 'dark'] as const) {
    it(`secondary, error and link text in the ${scheme} scheme`, () => {
      const below = BACKGROUNDS[scheme].flatMap((background) =>
        ['--mantine-color-dimmed', '--mantine-color-error', '--mantine-color-anchor']
          .map((name) => ({ name, background, ratio: ratio(scheme, `var(${name})`, background) }))
          .filter((found) => found.ratio < 4.5),
      );
      expect(below).toEqual([]);
    });

    it(`badges and coloured text in the ${scheme} scheme`, () => {
      const below = COLORS.flatMap((color) => {
        const v = (suffix: string) => `var(--mantine-color-${color}-${suffix})`;
        const filled = resolve(scheme, v('filled'));
        const onFilled = getContrastColor({ color: filled, theme: merged, autoContrast: true });
        return [
          { color, what: 'light variant', ratio: ratio(scheme, v('light-color'), v('light')) },
          { color, what: 'text', ratio: ratio(scheme, v('text'), BACKGROUNDS[scheme][0]!) },
          { color, what: 'filled', ratio: ratio(scheme, onFilled, filled) },
        ].filter((found) => found.ratio < 4.5);
      });
      expect(below).toEqual([]);
    });
  }
});
