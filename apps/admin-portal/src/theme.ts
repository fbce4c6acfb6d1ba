import { createTheme } from '@mantine/core';

// The console's Mantine theme: the default one, with what the console's pages need of it. Plain data (no
// `Component.extend`): the root layout is a Server Component and hands the theme to the client provider.
export const theme = createTheme({
  components: {
    // A badge holds one state word ("enabled", "SUCCEEDED"): cut to "ENAB…" it says nothing, so a badge is
    // never narrower than its word; a crowded table scrolls instead.
    Badge: { styles: { root: { minWidth: 'max-content', flexShrink: 0 } } },
  },
});
