import { entryForPath } from '@platform/ui/navigation';

// The console's sections: its navigation, and the route labels of its HTTP metrics (a fixed set, so a
// scanner cannot mint a metric series per URL).

export interface Section {
  href: string;
  label: string;
  /** The page's one-line description under its title. */
  description: string;
}

export const NAVIGATION: Section[] = [
  { href: '/', label: 'Profile', description: 'Your name and the address we know you by.' },
  { href: '/password', label: 'Password', description: 'Change the password you sign in with.' },
  {
    href: '/two-step',
    label: 'Two-step verification',
    description:
      'A code from an authenticator app after your password, and recovery codes for a lost device.',
  },
  {
    href: '/passkeys',
    label: 'Passkeys',
    description: 'Sign in with your device’s screen lock or a security key instead of a password.',
  },
  {
    href: '/linked-sign-ins',
    label: 'Linked sign-ins',
    description: 'Other accounts you sign in with, such as your work or GitHub account.',
  },
  {
    href: '/sessions',
    label: 'Sessions',
    description: 'Where you are signed in. End any session you do not recognise.',
  },
  {
    href: '/applications',
    label: 'Connected applications',
    description: 'Applications you allowed to use your account. Revoking one signs it out.',
  },
  { href: '/events', label: 'Security events', description: 'Recent sign-ins and changes to your account.' },
];

/** First path segments under the base path the metrics label by name (`/account/sessions`). */
export const SECTIONS: ReadonlySet<string> = new Set([
  'password',
  'two-step',
  'passkeys',
  'linked-sign-ins',
  'sessions',
  'applications',
  'events',
  'auth',
  'api',
  '_next',
]);

/** The navigation entry a path belongs to (the longest matching href). */
export function sectionForPath(pathname: string): Section | undefined {
  return entryForPath(pathname, NAVIGATION);
}
