// The states the console shows for a component, and the colours of their badges. Badges are filled with
// white text, so each background is dark enough for WCAG AA (at least 4.5:1 against white; states.test.ts
// measures it): Mantine's stock green (2.36:1) and yellow (3:1) are too light for white text.

export type HealthState = 'ok' | 'degraded' | 'down';

export const STATE_BADGE_TEXT = '#ffffff';

export const STATE_BADGE_COLORS: Record<HealthState, string> = {
  ok: '#1f7a36',
  degraded: '#9c5700',
  down: '#c92a2a',
};

const channel = (value: number) => {
  const c = value / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
};

/** WCAG 2 relative luminance of a `#rrggbb` colour. */
export function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => channel(Number.parseInt(hex.slice(i, i + 2), 16)));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** WCAG 2 contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}
