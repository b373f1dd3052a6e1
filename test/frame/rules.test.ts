/**
 * The frame's conversation rules that mutation testing found unpinned (issue 17): how far it retries,
 * when it forgets the stored conversation, which key sends, and who each bubble says spoke.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT, cleanup, fakeFetch, hubError, json, mountFrame, msg, sseStream, STORE_KEY, waitFor } from './fixture.js';

afterEach(cleanup);

const API = '/api/v1/widget/conversations';

/** An open frame over `routes`, `stored` as the kept conversation id. */
async function frame(routes: Parameters<typeof fakeFetch>[0], stored?: string) {
  const ff = fakeFetch(routes);
  const f = mountFrame({ fetch: ff.fetch });
  if (stored) f.win.localStorage.setItem(STORE_KEY, stored);
  f.init({ open: true });
  await waitFor(() => expect(f.got).toContainEqual({ v: 1, type: 'ready' }));
  const calls = (method: string, suffix = '') => ff.calls.filter((c) => c.method == method && c.path.endsWith(suffix));
  return { ...f, calls };
}

describe('conversation rules', () => {
  it('the frame stops retrying after one 404', async () => {
    let created = 0;
    const f = await frame({
      [`POST ${API}`]: () => json(201, { id: 'c' + ++created, created_at: '' }),
      [`POST ${API}/c1/messages`]: () => hubError(404, 'conversation_not_found'),
      [`POST ${API}/c2/messages`]: () => hubError(404, 'conversation_not_found'),
      [`POST ${API}/c3/messages`]: () => hubError(404, 'conversation_not_found'),
    });
    f.type('hello');
    f.submit();
    await waitFor(() => expect(f.ui.failed()).toEqual(['hello']));
    await f.idle();
    expect(created).toBe(2);
    expect(f.calls('POST', '/messages').map((c) => c.path)).toEqual([`${API}/c1/messages`, `${API}/c2/messages`]);
  });

  it.each([
    [503, 'unavailable'],
    [500, 'internal'],
    [429, 'rate_limited'],
    [0, 'network'],
  ])('keeps the stored conversation when its history answers %s', async (status, type) => {
    const f = await frame({ [`GET ${API}/c9/messages`]: () => (status ? hubError(status, type) : Promise.reject(new TypeError('network error'))) }, 'c9');
    await waitFor(() => expect(f.calls('GET', '/events')).toHaveLength(1));
    expect(f.win.localStorage.getItem(STORE_KEY)).toBe('c9');
  });

  it('keeps the stored conversation when the session behind its history has expired', async () => {
    const f = await frame({ [`GET ${API}/c9/messages`]: () => hubError(401, 'session_invalid') }, 'c9');
    await waitFor(() => expect(f.ui.input()!.disabled).toBe(true));
    expect(f.win.localStorage.getItem(STORE_KEY)).toBe('c9');
    expect(f.calls('GET', '/events')).toHaveLength(0);
  });

  it('forgets the stored conversation only when its history answers 404', async () => {
    const f = await frame({ [`GET ${API}/c9/messages`]: () => hubError(404, 'conversation_not_found') }, 'c9');
    await waitFor(() => expect(f.win.localStorage.getItem(STORE_KEY)).toBeNull());
    expect(f.calls('GET', '/events')).toHaveLength(0);
  });
});

describe('composer keys', () => {
  const sending = async () => {
    const f = await frame({
      [`POST ${API}`]: () => json(201, { id: 'c1', created_at: '' }),
      [`POST ${API}/c1/messages`]: (b) => json(202, { message: msg('visitor', b.text, 'v1') }),
      [`GET ${API}/c1/events`]: (_b, _c, init) => sseStream().response(init.signal),
    });
    f.type('hello');
    return f;
  };

  it('only Enter sends', async () => {
    const f = await sending();
    const input = f.ui.input()!;
    for (const [key, extra] of [
      ['a', {}],
      [' ', {}],
      ['Tab', {}],
      ['Enter', { shiftKey: true }],
      ['Enter', { isComposing: true }],
    ] as const) {
      expect(f.key(key, input, extra), `${key} ${JSON.stringify(extra)} is not cancelled`).toBe(true);
    }
    await f.idle();
    expect(f.calls('POST', '/messages')).toHaveLength(0);
    expect(input.value).toBe('hello');
    expect(f.key('Enter', input)).toBe(false);
    await waitFor(() => expect(f.calls('POST', '/messages')).toHaveLength(1));
    expect(f.calls('POST', '/messages')[0]!.body).toMatchObject({ text: 'hello' });
  });
});

describe('who said it', () => {
  it("labels each bubble with its role and, for screen readers, its speaker's name", async () => {
    const f = await frame(
      {
        [`GET ${API}/c9/messages`]: () =>
          json(200, {
            data: [msg('visitor', 'question'), msg('agent', 'answer'), { ...msg('person', 'a person'), author_name: 'Grace' }, msg('person', 'nameless')],
            last_event_id: '4',
          }),
      },
      'c9',
    );
    await waitFor(() => expect(f.doc.querySelectorAll('.kv-msg')).toHaveLength(5));
    const bubbles = [...f.doc.querySelectorAll('.kv-msg')].map((b) => ({
      role: [...b.classList].filter((c) => c != 'kv-msg').join(' '),
      who: b.querySelector('.kv-sr, .kv-who')!.className + ' ' + b.querySelector('.kv-sr, .kv-who')!.textContent,
      text: b.querySelector('.kv-body')!.textContent,
    }));
    expect(bubbles).toEqual([
      { role: 'kv-agent', who: `kv-sr ${AGENT.name}: `, text: AGENT.greeting },
      { role: 'kv-visitor', who: 'kv-sr You: ', text: 'question' },
      { role: 'kv-agent', who: `kv-sr ${AGENT.name}: `, text: 'answer' },
      // A person answers on the agent's side: one group with the agent's message before.
      { role: 'kv-person kv-cont', who: 'kv-who Grace: ', text: 'a person' },
      { role: 'kv-person kv-cont', who: `kv-who ${AGENT.name}: `, text: 'nameless' },
    ]);
  });
});
