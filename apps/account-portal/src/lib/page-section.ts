import { NAVIGATION, type Section } from './sections.ts';

/** A section's navigation entry (its title and description), by href. */
export function section(href: string): Section {
  const found = NAVIGATION.find((entry) => entry.href === href);
  if (!found) throw new Error(`no section ${href}`);
  return found;
}
