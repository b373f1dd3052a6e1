/** The client's errors without a hub: status → class, and refused options (against a real hub: hub-errors.test.ts). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  APIError, AuthenticationError, BadRequestError, ConflictError, InternalServerError, Kataven, NotFoundError, PermissionDeniedError,
  RateLimitError, UnprocessableEntityError,
} from '../../src/client/index.js';

describe('APIError.generate', () => {
  const headers = new Headers({ 'x-request-id': 'req_1' });
  it.each([
    [400, BadRequestError], [401, AuthenticationError], [403, PermissionDeniedError], [404, NotFoundError], [409, ConflictError],
    [422, UnprocessableEntityError], [429, RateLimitError], [500, InternalServerError], [503, InternalServerError], [418, APIError],
  ] as const)('maps %i to %o', (status, Class) => {
    const err = APIError.generate(status, { error: { type: 't', message: 'm' } }, headers);
    expect(err.constructor).toBe(Class);
    expect(err).toMatchObject({ status, type: 't', message: 'm', requestId: 'req_1' });
  });

  it('still gives a message when the body is not the error shape', () => {
    expect(APIError.generate(502, undefined, new Headers()).message).toBe('The hub answered HTTP 502 without an error message');
  });
});

describe('new Kataven()', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('rejects an unknown option and lists the valid ones', () => {
    expect(() => new Kataven({ apiKey: 'sk', baseUrl: 'http://h', retries: 3 } as never)).toThrow(
      'new Kataven(): unknown option "retries"; valid options are apiKey, baseUrl, timeout, maxRetries, fetch',
    );
  });

  it('rejects an unknown per-request option', async () => {
    const client = new Kataven({ apiKey: 'sk', baseUrl: 'http://h' });
    await expect(client.agents.retrieve('ag_1', { idempotency_key: 'x' } as never)).rejects.toThrow(/unknown option "idempotency_key"/);
  });

  it('reads KATAVEN_API_KEY and KATAVEN_BASE_URL', () => {
    vi.stubEnv('KATAVEN_API_KEY', 'sk_live_env');
    vi.stubEnv('KATAVEN_BASE_URL', 'http://hub.example:8787/');
    expect(new Kataven().baseUrl).toBe('http://hub.example:8787');
  });

  it('says how to give a missing API key', () => {
    vi.stubEnv('KATAVEN_API_KEY', '');
    expect(() => new Kataven({ baseUrl: 'http://h' })).toThrow(/Missing API key.*KATAVEN_API_KEY/);
  });

  it('says how to give a missing hub URL', () => {
    vi.stubEnv('KATAVEN_BASE_URL', '');
    expect(() => new Kataven({ apiKey: 'sk' })).toThrow(/Missing hub URL.*KATAVEN_BASE_URL/);
  });

  it('rejects a baseUrl that is not http(s)', () => {
    expect(() => new Kataven({ apiKey: 'sk', baseUrl: 'hub.example.com' })).toThrow(/not an http\(s\) URL/);
  });
});
