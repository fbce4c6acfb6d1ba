import {
  Alert,
  Badge,
  type CSSVariablesResolver,
  createTheme,
  DEFAULT_THEME,
  Drawer,
  darken,
  Modal,
  TableScrollContainer,
} from '@mantine/core';

// The console's Mantine theme: Mantine's defaults with every text colour at WCAG AA contrast (4.5:1) in both
// colour schemes. Mantine's stock palette puts secondary ("dimmed") text, red error text and the `light`
// badge variant's text at 2–4:1 in the light scheme, and white on filled green/yellow/teal at about 2.4:1.

/** The shade filled buttons and badges use; 8 keeps white text on the primary blue above 4.5:1. */
const FILLED_SHADE = 8;

/** Text on a colour's pale (`light` variant) background and coloured text (`c="red"`) in the light scheme. */
const readableOnLight = (color: string) => darken(DEFAULT_THEME.colors[color]![9], 0.3);

export const theme = createTheme({
  primaryShade: { light: FILLED_SHADE, dark: FILLED_SHADE },
  // Black or white text on filled backgrounds, whichever contrasts more with the colour: at this relative
  // luminance both reach 4.58:1, so the choice is always at least that (Mantine's default, 0.3, leaves white
  // on green or teal at 3.5–4:1).
  autoContrast: true,
  luminanceThreshold: 0.179,
  components: {
    // The × in a dialog's corner is an icon: without a name, screen readers announce only "button".
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
    Drawer: Drawer.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
    Alert: Alert.extend({ defaultProps: { closeButtonLabel: 'Dismiss' } }),
    // A table wider than its box scrolls sideways: keyboard users reach the hidden columns by focusing the
    // scroll area and using the arrow keys.
    TableScrollContainer: TableScrollContainer.extend({
      defaultProps: { scrollAreaProps: { viewportProps: { tabIndex: 0 } } },
    }),
    // A badge holds one state word ("enabled", "SUCCEEDED"): cut to "ENAB…" it says nothing, so a badge is
    // never narrower than its word; a crowded table scrolls instead.
    Badge: Badge.extend({ styles: { root: { minWidth: 'max-content', flexShrink: 0 } } }),
  },
});

const lightColorTexts = Object.fromEntries(
  Object.keys(DEFAULT_THEME.colors).flatMap((color) => [
    [`--mantine-color-${color}-light-color`, readableOnLight(color)],
    [`--mantine-color-${color}-text`, readableOnLight(color)],
  ]),
);

export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    ...lightColorTexts,
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-anchor': 'var(--mantine-color-blue-9)',
    '--mantine-color-error': 'var(--mantine-color-red-9)',
  },
  dark: {
    '--mantine-color-dimmed': '#adadad',
    // Mantine's `dark` palette is backgrounds; as a text colour (c="dark") it must be light in the dark scheme.
    '--mantine-color-dark-text': 'var(--mantine-color-dark-0)',
    '--mantine-color-error': 'var(--mantine-color-red-4)',
  },
});
