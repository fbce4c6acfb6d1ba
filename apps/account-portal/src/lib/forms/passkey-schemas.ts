import { z } from 'zod';

// The passkey forms' input, checked on the server before it goes to the account API.

const name = z
  .string()
  .trim()
  .min(1, 'Enter a name for the passkey.')
  .max(64, 'At most 64 characters.')
  .regex(/^[^\p{Cc}]*$/u, 'No control characters.');

/** The browser's answer to the registration options (JSON from @simplewebauthn/browser) and its name. */
export const passkeyRegistrationSchema = z.object({
  name,
  response: z
    .string()
    .max(64 * 1024)
    .transform((text, context) => {
      try {
        const value: unknown = JSON.parse(text);
        if (value && typeof value === 'object' && !Array.isArray(value))
          return value as Record<string, unknown>;
      } catch {}
      context.addIssue({ code: 'custom', message: 'The browser’s answer is not readable. Try again.' });
      return z.NEVER;
    }),
});

export const passkeyRenameSchema = z.object({ id: z.string().min(1).max(255), name });
