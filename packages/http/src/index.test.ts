import { describe, expect, it } from 'vitest';
import * as http from './index.ts';

describe('public API', () => {
  it('exports the app factory, the server starter and the error toolkit', () => {
    expect(typeof http.createApp).toBe('function');
    expect(typeof http.startServer).toBe('function');
    expect(typeof http.toProblem).toBe('function');
    expect(typeof http.problemResponses).toBe('function');
    expect(new http.HttpError({ status: 400, code: 'x' })).toBeInstanceOf(Error);
    expect(http.PROBLEM_CONTENT_TYPE).toBe('application/problem+json; charset=utf-8');
    expect(http.REQUEST_ID_HEADER).toBe('x-request-id');
    expect(http.UNMATCHED_ROUTE).toBe('unmatched');
  });
});
