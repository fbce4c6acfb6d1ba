'use client';

import { Button, type MantineColorScheme, Menu, useMantineColorScheme } from '@mantine/core';

const CHOICES: Array<{ value: MantineColorScheme; label: string }> = [
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
  { value: 'auto', label: 'System' },
];

// Light, dark, or whatever the system prefers (the default). Mantine remembers the choice in localStorage and
// its ColorSchemeScript applies it before the first paint. The button's label does not show the choice: the
// server cannot know it, and a label that changed during hydration would not match the server's HTML; the
// menu (rendered only when opened, in the browser) marks it.
export function ColorSchemeToggle() {
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  return (
    // No focus placeholder: it is a focusable presentational child, which a role="menu" may not hold (axe
    // aria-required-children); focus goes to the first choice instead.
    <Menu position="bottom-end" withinPortal withInitialFocusPlaceholder={false}>
      <Menu.Target>
        <Button variant="default" size="xs" data-testid="color-scheme-toggle">
          Theme
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.RadioGroup
          value={colorScheme}
          onChange={(value) => setColorScheme(value as MantineColorScheme)}
        >
          {CHOICES.map((choice) => (
            <Menu.RadioItem key={choice.value} value={choice.value}>
              {choice.label}
            </Menu.RadioItem>
          ))}
        </Menu.RadioGroup>
      </Menu.Dropdown>
    </Menu>
  );
}
