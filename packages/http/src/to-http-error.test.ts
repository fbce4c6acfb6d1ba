import { describe, expect, it } from 'vitest';
import { HttpError } from './errors.ts';
import { codeForStatus, MAX_VALIDATION_ISSUES, toHttpError, validationIssues } from './to-http-error.ts';

const fastifyError = (code: string, statusCode: number) =>
  Object.assign(new Error('fastify says'), { code, statusCode });

describe('toHttpError', () => {
  it('returns an HttpError unchanged', () => {
    const error = new HttpError({
      status: 401,
      code: 'invalid_token',
      headers: { 'www-authenticate': 'Bearer' },
    });
    expect(toHttpError(error)).toBe(error);
  });

  it.each([
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 400, 'invalid_json'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 400, 'empty_body'],
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 413, 'body_too_large'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 415, 'unsupported_media_type'],
    ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 400, 'invalid_content_length'],
  ])('maps %s to %i %s', (code, statusCode, status, ourCode) => {
    const mapped = toHttpError(fastifyError(code, statusCode));
    expect(mapped.status).toBe(status);
    expect(mapped.code).toBe(ourCode);
    expect(mapped.expose).toBe(true);
  });

  it('maps schema validation errors to validation_failed with one issue per failure', () => {
    const error = Object.assign(new Error('body/name must be string'), {
      statusCode: 400,
      code: 'FST_ERR_VALIDATION',
      validationContext: 'body',
      validation: [
        { keyword: 'type', instancePath: '/name', params: { type: 'string' }, message: 'must be string' },
        {
          keyword: 'required',
          instancePath: '/owner',
          params: { missingProperty: 'e/mail' },
          message: "must have required property 'e/mail'",
        },
      ],
    });
    const mapped = toHttpError(error);
    expect(mapped.status).toBe(400);
    expect(mapped.code).toBe('validation_failed');
    expect(mapped.extensions.errors).toEqual([
      { in: 'body', path: '/name', message: 'must be string' },
      // The missing property itself is pointed at, JSON-Pointer escaped.
      { in: 'body', path: '/owner/e~1mail', message: "must have required property 'e/mail'" },
    ]);
  });

  it('keeps the status of an unknown 4xx but not its message', () => {
    const mapped = toHttpError(fastifyError('SOME_PLUGIN_ERR', 429));
    expect(mapped.status).toBe(429);
    expect(mapped.code).toBe('too_many_requests');
    expect(mapped.detail).toBeUndefined();
  });

  it.each([
    ['a plain Error', new Error('db password is hunter2')],
    ['an error claiming a 5xx status', fastifyError('FST_ERR_SOMETHING', 502)],
    ['an error with a nonsense status', fastifyError('X', 200)],
    ['a thrown string', 'boom'],
    ['null', null],
  ])('maps %s to an unexposed 500 internal_error', (_label, thrown) => {
    const mapped = toHttpError(thrown);
    expect(mapped.status).toBe(500);
    expect(mapped.code).toBe('internal_error');
    expect(mapped.expose).toBe(false);
    expect(mapped.detail).toBeUndefined();
  });
});

describe('validationIssues', () => {
  it('caps the list so a hostile body cannot make a huge response', () => {
    const many = Array.from({ length: MAX_VALIDATION_ISSUES + 10 }, (_, i) => ({
      instancePath: `/${i}`,
      message: 'bad',
    }));
    expect(validationIssues(many, 'body')).toHaveLength(MAX_VALIDATION_ISSUES);
  });

  it('tolerates malformed issue entries', () => {
    expect(validationIssues([null, 'x'], 'querystring')).toEqual([
      { in: 'querystring', path: '', message: 'is invalid' },
      { in: 'querystring', path: '', message: 'is invalid' },
    ]);
  });
});

describe('codeForStatus', () => {
  it.each([
    [400, 'bad_request'],
    [414, 'uri_too_long'],
    [418, 'i_m_a_teapot'],
    [499, 'client_error'],
  ])('%i → %s', (status, code) => {
    expect(codeForStatus(status)).toBe(code);
  });
});
