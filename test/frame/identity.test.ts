/**
 * The frame's verified-visitor commands (src/frame/identity.ts) with fake globals and a routed fetch at
 * the edge: identify given before the session is presented after it, with the conversation to adopt; a
 * refusal is one error event and one console line; logout forgets the conversation; required gates the
 * composer until a token is verified.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EN } from '../../src/frame/strings.js';
import { WIDGET_API } from '../../src/protocol/widget-api.js';
import { cleanup, fakeFetch, hubError, json, mountFrame, STORE_KEY, waitFor } from './fixture.js';

afterEach(cleanup);

const identified = (conversations: { id: string; created_at: string }[] = []) =>
  json(200, { session_token: 'tok_verified', expires_at: new Date(Date.now() + 600_000).toISOString(), visitor: { id: 'u1' }, identity_expires_at: new Date(Date.now() + 600_000).toISOString(), conversations });
const command = (name: string, arg?: unknown) => ({ v: 1 as const, type: 'command' as const, name, arg });
const history = (id: string) => `GET ${WIDGET_API.messages(id)}`;

describe('identify and logout in the frame', () => {
  it('presents a token given before the session with the stored conversation, and uses the verified session after', async () => {
    const ff = fakeFetch({
      [`POST ${WIDGET_API.identify}`]: () => identified([{ id: 'conv_a', created_at: '' }]),
      [history('conv_a')]: () => json(200, { data: [], last_event_id: '0' }),
    });
    const f = mountFrame({ fetch: ff.fetch });
    f.win.localStorage.setItem(STORE_KEY, 'conv_a');
    f.init({ before: [command('identify', 'eyJ.visitor.token')] });
    await waitFor(() => expect(ff.calls.some((c) => c.path == WIDGET_API.identify)).toBe(true));
    const call = ff.calls.find((c) => c.path == WIDGET_API.identify)!;
    expect(call).toMatchObject({ auth: 'Bearer tok_1', body: { token: 'eyJ.visitor.token', conversation_id: 'conv_a' } });
    // The adopted conversation stays; the session from then on is the verified one.
    expect(f.win.localStorage.getItem(STORE_KEY)).toBe('conv_a');
    await waitFor(() => expect(f.got).toContainEqual({ v: 1, type: 'ready' }));
    await f.handled();
    f.type('hi');
    f.submit();
    await waitFor(() => expect(ff.calls.find((c) => c.method == 'POST' && c.path == WIDGET_API.messages('conv_a'))?.auth).toBe('Bearer tok_verified'));
  });

  it('refuses a token that is no string, and names a refusal of the hub: one error event and one console line each', async () => {
    const ff = fakeFetch({ [`POST ${WIDGET_API.identify}`]: () => hubError(403, 'identity_audience', 'aud is not this key') });
    const f = mountFrame({ fetch: ff.fetch });
    f.init();
    await waitFor(() => expect(f.got).toContainEqual({ v: 1, type: 'ready' }));
    f.command(command('identify', 42));
    await f.handled();
    f.command(command('identify', 'eyJ.wrong.aud'));
    await f.handled();
    await waitFor(() => expect(f.got.filter((m) => m.name == 'error')).toHaveLength(2));
    expect(f.got.filter((m) => m.name == 'error').map((m) => m.detail.type)).toEqual(['identity_missing', 'identity_audience']);
    expect(f.warnings).toEqual([expect.stringMatching(/^\[kataven\] visitor not verified: .*\(identity_missing\)$/), '[kataven] visitor not verified: aud is not this key (identity_audience)']);
    // Optional: the visitor chats on, anonymously.
    expect(f.ui.input()!.disabled).toBe(false);
  });

  it('logout forgets the stored conversation even when the hub cannot be reached', async () => {
    const ff = fakeFetch({ [history('conv_b')]: () => json(200, { data: [], last_event_id: '0' }) });
    const f = mountFrame({ fetch: ff.fetch });
    f.win.localStorage.setItem(STORE_KEY, 'conv_b');
    f.init();
    await waitFor(() => expect(f.got).toContainEqual({ v: 1, type: 'ready' }));
    f.command(command('logout'));
    await f.handled();
    await waitFor(() => expect(f.win.localStorage.getItem(STORE_KEY)).toBeNull());
    expect(ff.calls.some((c) => c.path == WIDGET_API.logout)).toBe(true);
  });

  it('required: the composer waits for a verified token, and the page hears identity_missing at ready', async () => {
    const ff = fakeFetch({ [`POST ${WIDGET_API.identify}`]: () => identified() });
    const f = mountFrame({ fetch: ff.fetch });
    f.init({ identity: 'required' });
    await waitFor(() => expect(f.got).toContainEqual({ v: 1, type: 'ready' }));
    expect(f.ui.input()!.disabled).toBe(true);
    expect(f.ui.error()!.textContent).toBe(EN.signIn);
    await waitFor(() => expect(f.got.find((m) => m.name == 'error')?.detail.type).toBe('identity_missing'));
    f.command(command('identify', 'eyJ.good'));
    await f.handled();
    await waitFor(() => expect(f.ui.input()!.disabled).toBe(false));
    expect(f.ui.error()!.textContent).toBe('');
  });

  it('emits identity_expired a minute before the token runs out', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const ff = fakeFetch({ [`POST ${WIDGET_API.identify}`]: () => identified() });
      const f = mountFrame({ fetch: ff.fetch });
      f.init({ before: [command('identify', 'eyJ.good')] });
      await waitFor(() => expect(ff.calls.some((c) => c.path == WIDGET_API.identify)).toBe(true));
      await vi.advanceTimersByTimeAsync(530_000);
      expect(f.got.some((m) => m.name == 'identity_expired')).toBe(false);
      await vi.advanceTimersByTimeAsync(15_000);
      expect(f.got.find((m) => m.name == 'identity_expired')?.detail.expires_at).toMatch(/^\d{4}-/);
    } finally {
      vi.useRealTimers();
    }
  });
});
