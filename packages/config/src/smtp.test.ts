import { describe, expect, it } from 'vitest';
import { type ConfigError, loadConfig } from './load-config.ts';
import { mailFrom, smtpUrl, smtpUrlForLogs } from './smtp.ts';

const shape = { SMTP_URL: smtpUrl, MAIL_FROM: mailFrom };

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(shape, env);
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('SMTP_URL', () => {
  it('is optional: unset means no mail', () => {
    expect(loadConfig(shape, {}).SMTP_URL).toBeUndefined();
  });

  it('reads smtp:// and smtps:// with optional credentials and default ports', () => {
    expect(loadConfig(shape, { SMTP_URL: 'smtp://127.0.0.1:2525' }).SMTP_URL).toMatchObject({
      secure: false,
      host: '127.0.0.1',
      port: 2525,
    });
    const relay = loadConfig(shape, { SMTP_URL: 'smtps://mailer:s3cret@mail.example.com' }).SMTP_URL;
    expect(relay).toMatchObject({ secure: true, host: 'mail.example.com', port: 465 });
    expect(loadConfig(shape, { SMTP_URL: 'smtp://mail.example.com' }).SMTP_URL?.port).toBe(587);
  });

  it.each([
    ['not a url', 'must be a URL'],
    ['https://user:hunter2@mail.example.com', 'must start with smtp:// or smtps://'],
    ['smtp://user:hunter2@mail.example.com/inbox', 'must not have a path'],
  ])('refuses %s naming the variable and the rule, never the value', (value, rule) => {
    const error = configError({ SMTP_URL: value });
    expect(error.variables).toEqual(['SMTP_URL']);
    expect(error.message).toContain(`SMTP_URL: ${rule}`);
    expect(error.message).not.toContain('hunter2');
  });

  it('is logged without its credentials', () => {
    const relay = loadConfig(shape, { SMTP_URL: 'smtp://mailer:s3cret@mail.example.com:25' }).SMTP_URL;
    expect(relay && smtpUrlForLogs(relay)).toBe('smtp://mail.example.com:25');
  });
});

describe('MAIL_FROM', () => {
  it.each(['no-reply@example.com', 'Platform console <no-reply@example.com>'])('accepts %s', (value) => {
    expect(loadConfig(shape, { MAIL_FROM: value }).MAIL_FROM).toBe(value);
  });

  it('refuses a value that is no address', () => {
    expect(configError({ MAIL_FROM: 'Platform' }).variables).toEqual(['MAIL_FROM']);
  });
});
