import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { APIConnectionError, APIConnectionTimeoutError, BadRequestError, ConflictError, InternalServerError, Kataven, RateLimitError } from '../../src/client/index.js';
import { parseRetryAfter, retryDelayMs } from '../../src/client/retry.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { clientFor, connectionReset, drive, recordingFetch, untilAborted, useFakeClock } from './helpers.js';

const errorResponse = (status: number, type: string, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ error: { type, message: `${type} from the test` } }), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('retries and timeouts (injected fetch in front of a real hub)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub('sqlite');
  });
  afterAll(() => hub.close());
  // The waits (back-off, Retry-After, timeouts) run on a fake clock, driven by `drive`.
  beforeEach(useFakeClock);
  afterEach(() => vi.useRealTimers());

  it('retries a 429 after its Retry-After seconds', async () => {
    const recorder = recordingFetch(async (n) => (n === 0 ? errorResponse(429, 'rate_limited', { 'retry-after': '1' }) : undefined));
    const started = Date.now();
    const page = await drive(clientFor(hub, { fetch: recorder.fetch }).agents.list(), recorder.busy);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(page.data.length).toBeGreaterThan(0);
    expect(recorder.calls).toHaveLength(2);
  });

  it('retries after a connection reset', async () => {
    const recorder = recordingFetch(async (n) => {
      if (n === 0) throw connectionReset();
    });
    const agent = await drive(clientFor(hub, { fetch: recorder.fetch }).agents.retrieve(hub.account.agent_id), recorder.busy);
    expect(agent.id).toBe(hub.account.agent_id);
    expect(recorder.calls).toHaveLength(2);
  });

  it('raises APIConnectionError naming the cause once retries run out', async () => {
    const recorder = recordingFetch(async () => {
      throw connectionReset();
    });
    const err = await drive(clientFor(hub, { fetch: recorder.fetch, maxRetries: 1 }).agents.list(), recorder.busy).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(APIConnectionError);
    expect((err as Error).message).toContain('ECONNRESET');
    expect(recorder.calls).toHaveLength(2);
  });

  it('does not retry a 400', async () => {
    const recorder = recordingFetch();
    const create = clientFor(hub, { fetch: recorder.fetch }).widgetKeys.create({ name: 'x', domain_allowlist: ['*'] });
    await expect(create).rejects.toBeInstanceOf(BadRequestError);
    expect(recorder.calls).toHaveLength(1);
  });

  it('retries a 409 conflict: an update that raced another', async () => {
    const recorder = recordingFetch(async (n) => (n === 0 ? errorResponse(409, 'conflict', { 'retry-after': '0' }) : undefined));
    await drive(clientFor(hub, { fetch: recorder.fetch }).agents.list(), recorder.busy);
    expect(recorder.calls).toHaveLength(2);
  });

  it.each(['idempotency_conflict', 'takeover_conflict', 'identity_off'])('does not retry a 409 %s: the same request cannot succeed', async (type) => {
    const recorder = recordingFetch(async () => errorResponse(409, type));
    await expect(clientFor(hub, { fetch: recorder.fetch }).widgetKeys.create({ name: 'x' })).rejects.toBeInstanceOf(ConflictError);
    expect(recorder.calls).toHaveLength(1);
  });

  it('gives up after maxRetries 5xx answers with InternalServerError', async () => {
    const recorder = recordingFetch(async () => errorResponse(503, 'service_unavailable', { 'retry-after': '0' }));
    await expect(drive(clientFor(hub, { fetch: recorder.fetch }).agents.list(), recorder.busy)).rejects.toBeInstanceOf(InternalServerError);
    expect(recorder.calls).toHaveLength(3);
  });

  it('takes maxRetries per request over the client default', async () => {
    const recorder = recordingFetch(async () => errorResponse(429, 'rate_limited', { 'retry-after': '0' }));
    const client = clientFor(hub, { fetch: recorder.fetch, maxRetries: 5 });
    await expect(client.agents.list({}, { maxRetries: 0 })).rejects.toBeInstanceOf(RateLimitError);
    expect(recorder.calls).toHaveLength(1);
  });

  it('raises APIConnectionTimeoutError when the hub does not answer in time', async () => {
    const hanging: typeof fetch = (_input, init) => untilAborted(init?.signal ?? undefined);
    const client = new Kataven({ apiKey: 'sk', baseUrl: hub.url, fetch: hanging, timeout: 5_000 });
    const started = Date.now();
    await expect(drive(client.agents.list({}, { timeout: 50, maxRetries: 0 }))).rejects.toBeInstanceOf(APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('retries a timed-out request', async () => {
    const recorder = recordingFetch(async (n, call) => (n === 0 ? untilAborted(call.signal) : undefined));
    const client = clientFor(hub, { timeout: 100, fetch: recorder.fetch });
    expect((await drive(client.agents.list(), recorder.busy)).data.length).toBeGreaterThan(0);
    expect(recorder.calls).toHaveLength(2);
  });

  it('sends the same Idempotency-Key on every retry of a create, and mints one key', async () => {
    // The first attempt reaches the hub and creates the key, then its response is lost.
    const recorder = recordingFetch(async (n, _call, real) => {
      if (n === 0) {
        await real();
        throw connectionReset();
      }
      return n === 1 ? errorResponse(500, 'internal_error', { 'retry-after': '0' }) : undefined;
    });
    const client = clientFor(hub, { fetch: recorder.fetch });
    const created = await drive(client.widgetKeys.create({ name: 'Exactly once' }), recorder.busy);
    const keys = recorder.calls.map((c) => c.headers.get('idempotency-key'));
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);
    const named = (await client.widgetKeys.list({ limit: 100 })).data.filter((k) => k.name === 'Exactly once');
    expect(named.map((k) => k.id)).toEqual([created.id]);
  });

  it('sends a given idempotencyKey as Idempotency-Key', async () => {
    const recorder = recordingFetch();
    await clientFor(hub, { fetch: recorder.fetch }).widgetKeys.create({ name: 'Given' }, { idempotencyKey: 'mine-1' });
    expect(recorder.calls[0]!.headers.get('idempotency-key')).toBe('mine-1');
  });
});

describe('retry delays', () => {
  it('reads Retry-After in seconds', () => {
    expect(parseRetryAfter('2')).toBe(2_000);
  });

  it('reads Retry-After as an HTTP date', () => {
    const ms = parseRetryAfter(new Date(Date.now() + 3_000).toUTCString())!;
    expect(ms).toBeGreaterThan(1_000);
    expect(ms).toBeLessThanOrEqual(3_000);
  });

  it('ignores a Retry-After that is neither', () => {
    expect(parseRetryAfter('soon')).toBeNull();
  });

  it('backs off exponentially with at most 25% jitter when there is no Retry-After', () => {
    for (const [retry, base] of [[0, 500], [1, 1_000], [2, 2_000], [10, 8_000]] as const) {
      const ms = retryDelayMs(retry);
      expect(ms).toBeGreaterThan(base * 0.75 - 1);
      expect(ms).toBeLessThanOrEqual(base);
    }
  });

  it('falls back to backoff for a Retry-After over a minute', () => {
    expect(retryDelayMs(0, new Headers({ 'retry-after': '3600' }))).toBeLessThanOrEqual(500);
  });
});
