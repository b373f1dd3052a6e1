import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  APIError, AuthenticationError, BadRequestError, ConflictError, InternalServerError, Kataven, NotFoundError, PermissionDeniedError,
  RateLimitError, UnprocessableEntityError,
} from '../../src/client/index.js';
import { DIALECTS } from '../helpers/databases.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { clientFor, recordingFetch } from './helpers.js';

/** The rejection of `promise`, which must reject. */
async function failure(promise: Promise<unknown>): Promise<APIError> {
  const result = await promise.then(() => undefined, (err: unknown) => err);
  if (!(result instanceof APIError)) throw new Error(`expected an APIError, got ${String(result)}`);
  return result;
}

describe.each(DIALECTS)('errors from a real hub on %s', (dialect) => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub(dialect);
  });
  afterAll(() => hub.close());

  it('raises AuthenticationError with type, message and request id for a wrong key', async () => {
    const err = await failure(clientFor(hub, { apiKey: 'sk_live_nope' }).widgetKeys.list());
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err).toMatchObject({ status: 401, type: 'invalid_api_key' });
    expect(err.message).toMatch(/malformed/);
    expect(err.requestId).toMatch(/^req_/);
  });

  it('raises NotFoundError for an id of no key', async () => {
    const err = await failure(clientFor(hub).widgetKeys.update('wk_missing', { name: 'x' }));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ status: 404, type: 'not_found' });
  });

  it('raises BadRequestError with the entry for a refused allowlist', async () => {
    const err = await failure(clientFor(hub).widgetKeys.create({ name: 'x', domain_allowlist: ['*.github.io'] }));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err).toMatchObject({ status: 400, type: 'invalid_allowlist' });
    expect(err.message).toContain('*.github.io');
  });

  it('raises ConflictError for a reused Idempotency-Key, without retrying it', async () => {
    const recorder = recordingFetch();
    const client = clientFor(hub, { fetch: recorder.fetch });
    await client.widgetKeys.create({ name: 'A' }, { idempotencyKey: 'conflict-1' });
    const err = await failure(client.widgetKeys.create({ name: 'B' }, { idempotencyKey: 'conflict-1' }));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ status: 409, type: 'idempotency_conflict' });
    expect(recorder.calls).toHaveLength(2);
  });

  it('raises RateLimitError past the admin rate limit', async () => {
    const limited = await startTestHub(dialect, { adminRateLimit: 3 });
    try {
      const client = clientFor(limited, { maxRetries: 0 });
      for (let i = 0; i < 3; i++) await client.agents.list();
      const err = await failure(client.agents.list());
      expect(err).toBeInstanceOf(RateLimitError);
      expect(err).toMatchObject({ status: 429, type: 'rate_limited' });
      expect(Number(err.headers?.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

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
