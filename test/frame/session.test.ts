import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApi } from '../../src/frame/api.js';
import { keepFresh } from '../../src/frame/session.js';
import { EN } from '../../src/frame/strings.js';
import { cleanup, fakeFetch, hubError, json, mountFrame, waitFor } from './fixture.js';

const REFRESH = 'POST /api/v1/widget/session';
const T0 = Date.parse('2025-06-01T12:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

beforeEach(() => {
  // Timers and the clock only: fetch, Response bodies and MessagePorts run for real.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: T0 });
});
afterEach(async () => {
  vi.useRealTimers();
  await cleanup();
});

function fresh(routes: Parameters<typeof fakeFetch>[0], expiresIn = 600_000) {
  const ff = fakeFetch(routes);
  const auth = { token: 'tok_1' };
  const onEnd = vi.fn();
  const stop = keepFresh(createApi(ff.fetch, auth), auth, at(expiresIn), EN, onEnd);
  return { ...ff, auth, onEnd, stop };
}

describe('session refresh', () => {
  it('refreshes at 80% of the time left', async () => {
    const s = fresh({ [REFRESH]: () => json(201, { session_token: 'tok_2', expires_at: at(1_200_000) }) });
    await vi.advanceTimersByTimeAsync(479_000);
    expect(s.calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(s.calls).toEqual([{ method: 'POST', path: '/api/v1/widget/session', auth: 'Bearer tok_1', body: {} }]);
    s.stop();
  });

  it('uses the new token and reschedules', async () => {
    let n = 1;
    const s = fresh({ [REFRESH]: () => json(201, { session_token: 'tok_' + ++n, expires_at: at(480_000 + 600_000 * (n - 1)) }) });
    await vi.advanceTimersByTimeAsync(480_000);
    await waitFor(() => expect(s.auth.token).toBe('tok_2'));
    // tok_2 expires 600 s after the refresh: the next one is 480 s later, with tok_2.
    await vi.advanceTimersByTimeAsync(479_000);
    expect(s.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(s.calls[1]!.auth).toBe('Bearer tok_2');
    await waitFor(() => expect(s.auth.token).toBe('tok_3'));
    s.stop();
  });

  it("ends in the visitor's words when the refresh is refused, never with the hub's words for the owner", async () => {
    const s = fresh({ [REFRESH]: () => hubError(403, 'key_disabled', 'Widget key …abcd1234 is disabled. Enable it (PATCH disabled: false) or create a new key') });
    await vi.advanceTimersByTimeAsync(480_000);
    await waitFor(() => expect(s.onEnd).toHaveBeenCalledWith(EN.unavailable));
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(s.calls).toHaveLength(1);
  });

  it('a 401 on refresh ends as expired', async () => {
    const s = fresh({ [REFRESH]: () => hubError(401, 'session_invalid', 'token expired') });
    await vi.advanceTimersByTimeAsync(480_000);
    await waitFor(() => expect(s.onEnd).toHaveBeenCalledWith('This chat session has expired. Reload the page to continue.'));
  });

  it('retries a 429 instead of giving up', async () => {
    const s = fresh({ [REFRESH]: () => hubError(429, 'rate_limited') });
    await vi.advanceTimersByTimeAsync(480_000 + 15_000);
    expect(s.calls).toHaveLength(2);
    expect(s.onEnd).not.toHaveBeenCalled();
    s.stop();
  });

  it('retries a network failure while the token lasts', async () => {
    let n = 0;
    const s = fresh({
      [REFRESH]: () => (n++ ? json(201, { session_token: 'tok_2', expires_at: at(1_200_000) }) : Promise.reject(new TypeError('offline'))),
    });
    await vi.advanceTimersByTimeAsync(480_000);
    expect(s.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(s.calls).toHaveLength(2);
    await waitFor(() => expect(s.auth.token).toBe('tok_2'));
    expect(s.onEnd).not.toHaveBeenCalled();
    s.stop();
  });

  it('ends as expired when retries run past expiry', async () => {
    const s = fresh({ [REFRESH]: () => hubError(503, 'unavailable') }, 10_000);
    await vi.advanceTimersByTimeAsync(20_000);
    await waitFor(() => expect(s.onEnd).toHaveBeenCalledWith('This chat session has expired. Reload the page to continue.'));
    expect(s.onEnd).toHaveBeenCalledTimes(1);
  });

  it('stop cancels the refresh', async () => {
    const s = fresh({});
    s.stop();
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(s.calls).toEqual([]);
  });

  it('a refused refresh disables the composer', async () => {
    const ff = fakeFetch({ [REFRESH]: () => hubError(403, 'origin_not_allowed', 'https://shop.test is no longer allowed for this key.') });
    const f = mountFrame({ fetch: ff.fetch });
    f.init({ open: true, expires_at: at(600_000) });
    await vi.advanceTimersByTimeAsync(480_000);
    await waitFor(() => expect(f.ui.input()!.disabled).toBe(true));
    expect(f.ui.sendButton()!.disabled).toBe(true);
    expect(f.ui.error()!.textContent).toBe(EN.unavailable);
  });
});
