/** The client's error classes against a real hub, on every dialect (the mapping itself: errors.test.ts). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIError, AuthenticationError, BadRequestError, ConflictError, NotFoundError, RateLimitError } from '../../src/client/index.js';
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
