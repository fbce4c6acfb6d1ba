import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

// RFC 6238 as every authenticator app implements it: HMAC-SHA1, 6 digits, 30-second steps. A code is
// accepted one step either side of the server's clock (±30 s of drift), and the step it matched is returned
// so the caller can refuse any code of that step or an earlier one (a code is used once).

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one. */
export const TOTP_WINDOW = 1;

const totpOf = (secretBase32: string, label = '', issuer = '') =>
  new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });

/** A new shared secret: 20 random bytes (RFC 4226's recommended 160 bits), base32 as apps expect it. */
export const newTotpSecret = (): string => new Secret({ size: 20 }).base32;

/** The RFC 6238 time step `at` (epoch ms) falls in. */
export const totpStep = (at: number): number => Math.floor(at / 1000 / TOTP_PERIOD_SECONDS);

/**
 * The time step whose code `code` is, within the window around `at`; undefined for a wrong or malformed code.
 * Only digits are compared: spaces a user typed between groups are dropped first.
 */
export function matchTotpStep(secretBase32: string, code: string, at: number): number | undefined {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const delta = totpOf(secretBase32).validate({ token, timestamp: at, window: TOTP_WINDOW });
  return delta === null ? undefined : totpStep(at) + delta;
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export const totpUri = (secretBase32: string, { issuer, account }: { issuer: string; account: string }) =>
  totpOf(secretBase32, account, issuer).toString();

/** The enrolment QR code as an inline SVG element (no script, no external image: the page's CSP allows it). */
export async function totpQrSvg(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  // The XML prolog QRCode adds is not valid inside HTML; the <svg> element is.
  return svg.replace(/^<\?xml[^>]*>\s*/, '');
}
