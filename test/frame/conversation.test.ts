/**
 * Rules of the conversation that the frame group's mutation run (issue 17) found unpinned: which line a
 * failure shows, what the log is made of, what the event reader ignores, and which events change what.
 */
import { Window } from 'happy-dom';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { errorLine, refusedHere } from '../../src/frame/chat.js';
import { readEvents, sseParser, type SseEvent } from '../../src/frame/events.js';
import { createLog } from '../../src/frame/log.js';
import { EN } from '../../src/frame/strings.js';
import { HANDSHAKE_DENIAL_TYPES, HANDSHAKE_ERROR_TYPES } from '../../src/protocol/error-types.js';
import { cleanup, fakeFetch, hubError, json, mountFrame, msg, sseStream, STORE_KEY, waitFor } from './fixture.js';

afterEach(cleanup);

describe('the refusals that end the chat here', () => {
  it("are exactly the hub's refusals of the key or the site", () => {
    expect(HANDSHAKE_ERROR_TYPES.filter(refusedHere)).toEqual([...HANDSHAKE_DENIAL_TYPES]);
  });
});

describe('the line a failure shows', () => {
  const fail = (status: number, type: string, message = '') => ({ ok: false as const, status, type, message });
  it.each([
    ['rate_limited by type', fail(400, 'rate_limited', 'slow down'), EN.rateLimited],
    ['rate_limited by status', fail(429, 'other', 'slow down'), EN.rateLimited],
    ['a refused sign-in', fail(403, 'identity_expiry', 'dev words'), EN.signIn],
    ['a type only ending in identity_', fail(403, 'not_identity_', 'hub words'), EN.httpError(403)],
    ['an invalid session by type', fail(400, 'session_invalid', 'x'), EN.expired],
    ['an invalid session by status', fail(401, 'other', 'x'), EN.expired],
    ['a timeout', fail(0, 'timeout'), EN.timeout],
    ['no answer', fail(0, 'network_error'), EN.offline],
    ["the status, never the hub's English words for developers", fail(500, 'internal', 'Broken.'), EN.httpError(500)],
    ['the status without words', fail(502, 'bad_gateway'), EN.httpError(502)],
  ])('%s', (_claim, r, line) => expect(errorLine(r, EN)).toBe(line));
});

describe('the log', () => {
  const win = new Window({ url: 'https://hub.test/widget/v1/frame' });
  const doc = win.document as unknown as Document;
  afterAll(() => win.happyDOM.close());

  function log() {
    const panel = doc.createElement('div');
    const frames: Array<() => void> = [];
    const l = createLog(doc, panel, EN, 'Ada', (cb) => frames.push(cb));
    /** The log's geometry, which happy-dom does not lay out. */
    const geometry = (scrollHeight: number, clientHeight: number, scrollTop: number) => {
      Object.defineProperty(l.log, 'scrollHeight', { configurable: true, value: scrollHeight });
      Object.defineProperty(l.log, 'clientHeight', { configurable: true, value: clientHeight });
      l.log.scrollTop = scrollTop;
    };
    return { ...l, panel, frames, geometry };
  }

  it('is a focusable log in its wrapper, with a hidden status line and a hidden button for new messages', () => {
    const l = log();
    const wrap = l.panel.firstElementChild as HTMLElement;
    expect(wrap.className).toBe('kv-logwrap');
    expect(l.log.className).toBe('kv-log');
    expect(l.log.parentElement).toBe(wrap);
    expect([l.log.getAttribute('role'), l.log.getAttribute('aria-live'), l.log.getAttribute('aria-label'), l.log.tabIndex]).toEqual(['log', 'off', EN.conversation, 0]);
    expect(l.pill.parentElement).toBe(wrap);
    expect([l.pill.type, l.pill.hidden, l.pill.textContent]).toEqual(['button', true, EN.newMessages]);
    const status = l.log.querySelector('.kv-status') as HTMLElement;
    expect(status.hidden).toBe(true);
  });

  it("shows a visitor's text as text and the agent's as markdown, each message dir=auto", () => {
    const l = log();
    const you = l.add('visitor', '**hi**');
    const ada = l.add('agent', '**hi**');
    const body = (b: { el: HTMLElement }) => b.el.querySelector('.kv-body') as HTMLElement;
    expect([body(you).className, body(you).innerHTML, body(you).dir]).toEqual(['kv-body', '**hi**', 'auto']);
    expect([body(ada).className, body(ada).innerHTML, body(ada).dir]).toEqual(['kv-body kv-md', '<p><strong>hi</strong></p>', 'auto']);
    expect(you.plain()).toBe('**hi**');
    expect(ada.plain()).toBe('hi');
  });

  it("names a person only with their name, and the agent otherwise", () => {
    const l = log();
    const who = (b: { el: HTMLElement }) => [b.el.querySelector('.kv-who, .kv-sr')!.className, b.el.querySelector('.kv-who, .kv-sr')!.textContent];
    expect(who(l.add('person', 'x', 'completed', 'Sam'))).toEqual(['kv-who', EN.said('Sam')]);
    expect(who(l.add('person', 'x', 'completed', null))).toEqual(['kv-who', EN.said('Ada')]);
    expect(who(l.add('agent', 'x', 'completed', 'Sam'))).toEqual(['kv-sr', EN.said('Ada')]);
  });

  it('shows a time for a readable one, none for null or an unreadable one', () => {
    const l = log();
    const time = (at: string | null | undefined) => l.add('agent', 'x', 'completed', null, at).el.querySelector('time');
    const t = time('2025-01-01T10:00:00.000Z')!;
    expect([t.className, t.dateTime]).toEqual(['kv-time', '2025-01-01T10:00:00.000Z']);
    expect(t.textContent).not.toBe('');
    expect(time(null)).toBeNull();
    expect(time('yesterday')).toBeNull();
    expect(time(undefined)).not.toBeNull();
  });

  it('marks a failure with a note and a Retry button, and clears both', () => {
    const l = log();
    const b = l.add('agent', 'x');
    const retry = vi.fn();
    b.fail('It failed.', retry);
    const note = b.el.querySelector('.kv-note')!;
    const button = note.querySelector('button')!;
    expect([b.el.classList.contains('kv-failed'), note.firstChild!.textContent, button.className, button.type, button.textContent]).toEqual([true, 'It failed.', 'kv-retry', 'button', EN.retry]);
    button.click();
    expect(retry).toHaveBeenCalledTimes(1);
    b.fail(null);
    expect([b.el.classList.contains('kv-failed'), b.el.querySelector('.kv-note')]).toEqual([false, null]);
  });

  it('counts the last 24 px as the bottom: a new message there follows, one above offers the button', () => {
    const l = log();
    l.geometry(1000, 100, 1000 - 100 - 24);
    l.add('agent', 'at the bottom');
    expect(l.pill.hidden).toBe(true);
    l.geometry(1000, 100, 1000 - 100 - 25);
    l.add('agent', 'above it');
    expect(l.pill.hidden).toBe(false);
  });

  it('offers the button for a failure mark when scrolled up, not for clearing one', () => {
    const l = log();
    const b = l.add('agent', 'x');
    l.geometry(1000, 100, 0);
    b.fail(null);
    expect(l.pill.hidden).toBe(true);
    b.fail('It failed.');
    expect(l.pill.hidden).toBe(false);
  });

  it('hides the button only when scrolled to the bottom', () => {
    const l = log();
    l.geometry(1000, 100, 0);
    l.add('agent', 'news');
    l.log.dispatchEvent(new win.Event('scroll') as unknown as Event);
    expect(l.pill.hidden).toBe(false);
    l.geometry(1000, 100, 900);
    l.log.dispatchEvent(new win.Event('scroll') as unknown as Event);
    expect(l.pill.hidden).toBe(true);
  });

  it('renders a streaming reply once per frame, and again on the next frame after that', () => {
    const l = log();
    const b = l.add('agent', '', 'streaming');
    l.frames.splice(0).forEach((f) => f());
    b.set('one', 'streaming');
    expect(l.frames).toHaveLength(1);
    l.frames.splice(0).forEach((f) => f());
    expect(b.plain()).toBe('one');
    b.set('one two', 'streaming');
    expect(l.frames).toHaveLength(1);
  });

  it('changes nothing on a frame whose reply completed before it', () => {
    const l = log();
    const b = l.add('agent', '', 'streaming');
    l.frames.splice(0).forEach((f) => f());
    l.geometry(1000, 100, 0);
    b.set('a', 'streaming');
    b.set('ab', 'completed');
    l.pill.hidden = true;
    l.frames.splice(0).forEach((f) => f());
    expect(l.pill.hidden).toBe(true);
  });

  it('clears every bubble and the button, keeping the status line', () => {
    const l = log();
    l.add('visitor', 'a');
    l.add('agent', 'b');
    l.pill.hidden = false;
    l.clear();
    expect([...l.log.children].map((c) => c.className)).toEqual(['kv-status']);
    expect(l.pill.hidden).toBe(true);
  });

  it("writes times in the document's language", () => {
    doc.documentElement.lang = 'de';
    try {
      const t = log().add('agent', 'x', 'completed', null, '2025-01-01T15:00:00.000Z').el.querySelector('time')!;
      expect(t.textContent).toBe(new Intl.DateTimeFormat('de', { hour: 'numeric', minute: '2-digit' }).format(new Date('2025-01-01T15:00:00.000Z')));
    } finally {
      doc.documentElement.lang = '';
    }
  });

  it('gives the typing dots words for screen readers', () => {
    const l = log();
    l.status('', true);
    const status = l.log.querySelector('.kv-status')!;
    expect(status.innerHTML).toBe(`<span class="kv-sr">${EN.typing('Ada')}</span>`);
  });
});

describe('the event reader', () => {
  const parse = (chunks: string[]) => {
    const got: SseEvent[] = [];
    const p = sseParser((e) => got.push(e));
    for (const c of chunks) p.push(c);
    return { got, lastId: p.lastId() };
  };

  it('takes a line starting with a colon as a comment, whatever follows', () => {
    expect(parse([':data: x\n\ndata: y\n\n']).got).toEqual([{ id: '', event: 'message', data: 'y' }]);
  });

  it('reads a field with an empty name as no field', () => {
    expect(parse(['data: a\n: b\n\n']).got).toEqual([{ id: '', event: 'message', data: 'a' }]);
  });

  it('knows no id before the first event', () => {
    expect(parse(['data: a']).lastId).toBe('');
  });

  it('drops a line feed at the start of a chunk only after a carriage return ended the last', () => {
    expect(parse(['data: a\n', '\ndata: b\n\n']).got).toEqual([
      { id: '', event: 'message', data: 'a' },
      { id: '', event: 'message', data: 'b' },
    ]);
    expect(parse(['data: a\r\n', '\ndata: b\n\n']).got).toEqual([
      { id: '', event: 'message', data: 'a' },
      { id: '', event: 'message', data: 'b' },
    ]);
  });

  it('keeps the first character of a chunk after a carriage return that ended the last', () => {
    expect(parse(['data: a\r', 'data: b\n\n']).got).toEqual([{ id: '', event: 'message', data: 'a\nb' }]);
  });

  const PATH = '/events';
  const events = (routes: Parameters<typeof fakeFetch>[0]) => {
    const ff = fakeFetch(routes);
    const got: unknown[] = [];
    const ended: string[] = [];
    const auth = { token: 't1' };
    const reader = readEvents(ff.fetch, auth, PATH, undefined, { onEvent: (e) => got.push(e), onEnd: (r) => ended.push(r) }, { base: 1, max: 1, random: () => 0 });
    return { ...ff, got, ended, auth, reader };
  };

  it('asks for an event stream, uncached, with the token', async () => {
    const s = sseStream();
    const e = events({ [`GET ${PATH}`]: (_b, _c, init) => s.response(init.signal) });
    await waitFor(() => expect(e.calls).toHaveLength(1));
    expect(e.calls[0]!.auth).toBe('Bearer t1');
    const init = vi.mocked(e.fetch).mock.calls[0]![1]!;
    expect([new Headers(init.headers).get('accept'), init.cache]).toEqual(['text/event-stream', 'no-store']);
    e.reader.stop();
  });

  it('passes on only events whose data is a JSON object', async () => {
    const s = sseStream();
    const e = events({ [`GET ${PATH}`]: (_b, _c, init) => s.response(init.signal) });
    await waitFor(() => expect(e.calls).toHaveLength(1));
    s.raw('event: agent.status\ndata: not json\n\nevent: agent.status\ndata: null\n\nevent: agent.status\ndata: 7\n\nid: 3\nevent: agent.status\ndata: {"text":"ok"}\n\n');
    await waitFor(() => expect(e.got).toHaveLength(1));
    expect(e.got).toEqual([{ event: 'agent.status', id: '3', data: { text: 'ok' } }]);
    e.reader.stop();
  });

  it('decodes a character split across chunks', async () => {
    const s = sseStream();
    const e = events({ [`GET ${PATH}`]: (_b, _c, init) => s.response(init.signal) });
    await waitFor(() => expect(e.calls).toHaveLength(1));
    const bytes = new TextEncoder().encode('event: agent.status\ndata: {"text":"é"}\n\n');
    const at = bytes.indexOf(0xc3) + 1;
    s.bytes(bytes.slice(0, at));
    s.bytes(bytes.slice(at));
    await waitFor(() => expect(e.got).toEqual([{ event: 'agent.status', id: '', data: { text: 'é' } }]));
    e.reader.stop();
  });

  it('passes on nothing after a handler stopped it, even from the same chunk', async () => {
    const s = sseStream();
    const ff = fakeFetch({ [`GET ${PATH}`]: (_b, _c, init) => s.response(init.signal) });
    const got: unknown[] = [];
    const reader = readEvents(ff.fetch, { token: 't' }, PATH, undefined, { onEvent: (ev) => (got.push(ev), reader.stop()), onEnd: () => {} });
    await waitFor(() => expect(ff.calls).toHaveLength(1));
    s.raw('event: agent.status\ndata: {"text":"1"}\n\nevent: agent.status\ndata: {"text":"2"}\n\n');
    await waitFor(() => expect(got).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toHaveLength(1);
  });

  it.each([
    ['answered 401', () => hubError(401, 'session_invalid')],
    ['failed', () => Promise.reject(new TypeError('network error'))],
  ])('does nothing with an answer that arrives after stop: %s', async (_claim, answer) => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const e = events({ [`GET ${PATH}`]: () => gate.then(answer) });
    await waitFor(() => expect(e.calls).toHaveLength(1));
    e.reader.stop();
    release();
    await new Promise((r) => setTimeout(r, 20));
    expect([e.ended, e.calls.length]).toEqual([[], 1]);
  });

  it('reconnects at once with the new token after a 401 to a token the refresher replaced', async () => {
    const auth = { token: 't1' };
    let n = 0;
    const ff = fakeFetch({
      [`GET ${PATH}`]: (_b, _c, init) => {
        if (++n > 1) return sseStream().response(init.signal);
        auth.token = 't2';
        return hubError(401, 'session_invalid');
      },
    });
    const ended: string[] = [];
    const reader = readEvents(ff.fetch, auth, PATH, undefined, { onEvent: () => {}, onEnd: (r) => ended.push(r) });
    await waitFor(() => expect(ff.calls).toHaveLength(2));
    expect([ff.calls.map((c) => c.auth), ended]).toEqual([['Bearer t1', 'Bearer t2'], []]);
    reader.stop();
  });

  it('keeps where to resume through an error answer other than 400', async () => {
    let n = 0;
    const s = sseStream();
    const e = events({
      [`GET ${PATH}`]: (_b, _c, init) => (++n == 1 ? s.response(init.signal) : n == 2 ? hubError(503, 'unavailable') : sseStream().response(init.signal)),
    });
    await waitFor(() => expect(e.calls).toHaveLength(1));
    s.send('agent.status', '9', { text: 'x' });
    await waitFor(() => expect(e.got).toHaveLength(1));
    s.fail();
    await waitFor(() => expect(e.calls).toHaveLength(3));
    expect(e.calls.map((c) => c.lastEventId)).toEqual([undefined, '9', '9']);
    e.reader.stop();
  });

  it('waits its base delay before the first retry, jittered to between half and all of it', async () => {
    vi.useFakeTimers();
    try {
      for (const [random, waits] of [
        [1, 100],
        [0, 50],
      ] as const) {
        const ff = fakeFetch({ [`GET ${PATH}`]: () => hubError(503, 'unavailable') });
        const reader = readEvents(ff.fetch, { token: 't' }, PATH, undefined, { onEvent: () => {}, onEnd: () => {} }, { base: 100, max: 1000, random: () => random });
        await vi.advanceTimersByTimeAsync(waits - 1);
        expect(ff.calls).toHaveLength(1);
        await vi.advanceTimersByTimeAsync(1);
        expect(ff.calls).toHaveLength(2);
        reader.stop();
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it('ends for good when the stream closes with its session expired and no new token', async () => {
    const s = sseStream();
    const e = events({ [`GET ${PATH}`]: (_b, _c, init) => s.response(init.signal) });
    await waitFor(() => expect(e.calls).toHaveLength(1));
    s.send('stream.closed', '1', { reason: 'session_expired' });
    await waitFor(() => expect(e.ended).toEqual(['session_expired']));
    expect(e.calls).toHaveLength(1);
  });

  it('goes on with the new token when the stream closes for an expired session the refresher replaced', async () => {
    const streams = [sseStream(), sseStream()];
    let n = 0;
    const e = events({ [`GET ${PATH}`]: (_b, _c, init) => streams[n++]!.response(init.signal) });
    await waitFor(() => expect(e.calls).toHaveLength(1));
    e.auth.token = 't2';
    streams[0]!.send('stream.closed', '1', { reason: 'session_expired' });
    await waitFor(() => expect(e.calls).toHaveLength(2));
    expect([e.calls[1]!.auth, e.ended]).toEqual(['Bearer t2', []]);
    e.reader.stop();
  });

  it('ends at another close reason even with a new token', async () => {
    const s = sseStream();
    const e = events({ [`GET ${PATH}`]: (_b, _c, init) => s.response(init.signal) });
    await waitFor(() => expect(e.calls).toHaveLength(1));
    e.auth.token = 't2';
    s.send('stream.closed', '1', { reason: 'key_revoked' });
    await waitFor(() => expect(e.ended).toEqual(['key_revoked']));
    expect(e.calls).toHaveLength(1);
  });

  it('passes on nothing and asks no more once stopped', async () => {
    const s = sseStream();
    const e = events({ [`GET ${PATH}`]: (_b, _c, init) => s.response(init.signal) });
    await waitFor(() => expect(e.calls).toHaveLength(1));
    e.reader.stop();
    s.send('agent.status', '1', { text: 'late' });
    await new Promise((r) => setTimeout(r, 20));
    expect([e.got, e.ended, e.calls.length]).toEqual([[], [], 1]);
  });

  it('tries again after a failed answer, from the start after a 400', async () => {
    let n = 0;
    const s = sseStream();
    const e = events({
      [`GET ${PATH}`]: (_b, _c, init) => (++n == 1 ? s.response(init.signal) : n == 2 ? hubError(400, 'bad_last_event_id') : sseStream().response(init.signal)),
    });
    await waitFor(() => expect(e.calls).toHaveLength(1));
    s.send('agent.status', '9', { text: 'x' });
    await waitFor(() => expect(e.got).toHaveLength(1));
    s.fail();
    await waitFor(() => expect(e.calls).toHaveLength(3));
    expect(e.calls.map((c) => c.lastEventId)).toEqual([undefined, '9', undefined]);
    e.reader.stop();
  });
});

describe('the conversation on screen', () => {
  const API = '/api/v1/widget/conversations';

  async function chat(routes: Parameters<typeof fakeFetch>[0] = {}, stored = 'c1') {
    const streams: ReturnType<typeof sseStream>[] = [];
    const ff = fakeFetch({
      [`GET ${API}/c1/messages`]: () => json(200, { data: [], last_event_id: null }),
      [`GET ${API}/c1/events`]: (_b, _c, init) => {
        const s = sseStream();
        streams.push(s);
        return s.response(init.signal);
      },
      ...routes,
    });
    const f = mountFrame({ fetch: ff.fetch });
    if (stored) f.win.localStorage.setItem(STORE_KEY, stored);
    f.init({ open: true });
    await waitFor(() => expect(f.got).toContainEqual({ v: 1, type: 'ready' }));
    const live = async () => {
      await waitFor(() => expect(streams.length).toBeGreaterThan(0));
      return streams.at(-1)!;
    };
    return { ...f, ...ff, live, streams };
  }
  const GREETING = 'agent: Hi! How can I help?';
  const typing = (c: Awaited<ReturnType<typeof chat>>) => !c.ui.status()!.hidden && c.ui.status()!.classList.contains('kv-typing');

  it('shows no message that lacks an id, a text or a known role', async () => {
    const c = await chat();
    const s = await c.live();
    for (const message of [null, { text: 'a', role: 'agent' }, { id: 'm1', role: 'agent' }, { id: 'm2', text: 'b', role: 'robot' }, { id: 'm3', text: 7, role: 'agent' }]) {
      s.send('message.created', '1', { message });
    }
    s.send('message.created', '2', { message: msg('person', 'ok', 'm9') });
    await waitFor(() => expect(c.ui.bubbles()).toEqual([GREETING, 'person: ok']));
  });

  it('ignores a delta for an unknown message or without text', async () => {
    const c = await chat();
    const s = await c.live();
    s.send('message.created', '1', { message: msg('agent', 'Hel', 'm1', 'streaming') });
    s.send('message.delta', '2', { message_id: 'zz', text: 'x' });
    s.send('message.delta', '3', { message_id: 'm1' });
    s.send('message.delta', '4', { message_id: 'm1', text: 'lo' });
    await c.idle();
    await waitFor(() => expect(c.ui.bubbles()).toEqual([GREETING, 'agent: Hello']));
  });

  it('updates a bubble whose status alone changed', async () => {
    const c = await chat();
    const s = await c.live();
    s.send('message.created', '1', { message: msg('agent', 'Done', 'm1', 'streaming') });
    await waitFor(() => expect(c.doc.querySelector('.kv-streaming')).not.toBeNull());
    s.send('message.completed', '2', { message: msg('agent', 'Done', 'm1') });
    await waitFor(() => expect(c.doc.querySelector('.kv-streaming')).toBeNull());
  });

  it("words a failed reply by its failure type from the visitor's table, never with the hub's English sentence", async () => {
    const c = await chat();
    const s = await c.live();
    const failed = (seq: string, id: string, error?: { type: string; message: string }) => s.send('message.failed', seq, { message: msg('agent', '', id, 'streaming'), ...(error && { error }) });
    failed('1', 'm1', { type: 'agent_timeout', message: 'Ada took too long to answer. Your message was kept; please try again.' });
    failed('2', 'm2', { type: 'agent_too_long', message: "Ada's answer was too long and was cut short." });
    failed('3', 'm3', { type: 'agent_unavailable', message: 'Ada could not answer right now. Your message was kept; please try again in a moment.' });
    failed('4', 'm4', { type: 'a_type_of_a_newer_hub', message: 'Something new.' });
    failed('5', 'm5');
    await waitFor(() => expect(c.doc.querySelectorAll('.kv-note')).toHaveLength(5));
    expect([...c.doc.querySelectorAll('.kv-note')].map((n) => n.firstChild!.textContent)).toEqual(
      [EN.replyTimeout('Ada'), EN.replyCutShort('Ada'), EN.replyFailed('Ada'), EN.replyFailed('Ada'), EN.replyFailed('Ada')],
    );
  });

  it('offers no Retry for a failed reply with no visitor message above it', async () => {
    const c = await chat();
    const s = await c.live();
    s.send('message.created', '1', { message: msg('agent', 'first', 'm0') });
    s.send('message.failed', '2', { message: msg('agent', '', 'm1', 'streaming') });
    await waitFor(() => expect(c.doc.querySelectorAll('.kv-note')).toHaveLength(1));
    expect(c.ui.retryButtons()).toHaveLength(0);
  });

  it("tells the page of an agent's or a person's message, never of a visitor's", async () => {
    const c = await chat();
    const s = await c.live();
    s.send('message.created', '1', { message: msg('visitor', 'from the other tab', 'v1') });
    s.send('message.created', '2', { message: msg('person', 'Sam here', 'p1') });
    await waitFor(() => expect(c.ui.bubbles()).toHaveLength(3));
    await c.idle();
    expect(c.got.filter((m) => m.name == 'message').map((m) => m.detail)).toEqual([{ role: 'person', text: 'Sam here' }]);
  });

  it("shows typing for another tab's message as it happens, not for one in the history", async () => {
    const c = await chat({ [`GET ${API}/c1/messages`]: () => json(200, { data: [msg('visitor', 'earlier', 'v0')], last_event_id: '5' }) });
    const s = await c.live();
    await waitFor(() => expect(c.ui.bubbles()).toEqual([GREETING, 'you: earlier']));
    expect(typing(c)).toBe(false);
    s.send('message.created', '6', { message: msg('visitor', 'now', 'v1') });
    await waitFor(() => expect(typing(c)).toBe(true));
  });

  it('keeps the agent status while its reply streams and clears it when the reply is done', async () => {
    const c = await chat();
    const s = await c.live();
    s.send('agent.status', '1', { text: 'Searching…' });
    await waitFor(() => expect(c.ui.status()!.textContent).toBe('Searching…'));
    s.send('message.created', '2', { message: msg('agent', 'Fo', 'm1', 'streaming') });
    await c.idle();
    expect([c.ui.status()!.hidden, c.ui.status()!.textContent]).toEqual([false, 'Searching…']);
    s.send('message.completed', '3', { message: msg('agent', 'Found', 'm1') });
    await waitFor(() => expect(c.ui.status()!.hidden).toBe(true));
  });

  it('reads an agent status without text as none', async () => {
    const c = await chat();
    const s = await c.live();
    s.send('agent.status', '1', { text: 'Looking' });
    await waitFor(() => expect(c.ui.status()!.hidden).toBe(false));
    s.send('agent.status', '2', { text: 7 });
    await waitFor(() => expect(c.ui.status()!.hidden).toBe(true));
  });

  it.each([
    ['session_expired', EN.expired],
    ['key_revoked', EN.unavailable],
  ])('locks the chat when the stream closes for %s', async (reason, line) => {
    const c = await chat();
    const s = await c.live();
    s.send('stream.closed', '1', { reason });
    await waitFor(() => expect(c.ui.input()!.disabled).toBe(true));
    expect(c.doc.body.textContent).toContain(line);
    expect(c.win.localStorage.getItem(STORE_KEY)).toBe('c1');
  });

  it('forgets the conversation when its stream says it is gone, and stays usable', async () => {
    const c = await chat({ [`GET ${API}/c1/events`]: () => hubError(404, 'conversation_not_found') });
    await waitFor(() => expect(c.win.localStorage.getItem(STORE_KEY)).toBeNull());
    expect(c.ui.input()!.disabled).toBe(false);
  });

  it('takes a history that is not a list as empty, and a last event id that is not text as none', async () => {
    const c = await chat({ [`GET ${API}/c1/messages`]: () => json(200, { data: 'oops', last_event_id: 7 }) });
    await c.live();
    expect(c.ui.bubbles()).toEqual([GREETING]);
    expect(c.calls.find((x) => x.path.endsWith('/events'))!.lastEventId).toBeUndefined();
  });

  it('resumes the stream from the history\'s last event id', async () => {
    const c = await chat({ [`GET ${API}/c1/messages`]: () => json(200, { data: [], last_event_id: '41' }) });
    await c.live();
    expect(c.calls.find((x) => x.path.endsWith('/events'))!.lastEventId).toBe('41');
  });

  it('marks a message not sent when the new conversation comes back without an id', async () => {
    const c = await chat({ [`POST ${API}`]: () => json(201, { created_at: '' }) }, '');
    c.type('hello');
    c.submit();
    await waitFor(() => expect(c.ui.failed()).toEqual(['hello']));
    expect(c.doc.querySelector('.kv-note')!.firstChild!.textContent).toBe(EN.notSent + ' ' + EN.httpError(500));
  });

  it("shows another tab's message of the same words as its own bubble once this tab's is confirmed", async () => {
    const c = await chat({ [`POST ${API}/c1/messages`]: (b) => json(202, { message: msg('visitor', b.text, 'v-mine') }) });
    const s = await c.live();
    c.type('same');
    c.submit();
    await waitFor(() => expect(c.calls.filter((x) => x.method == 'POST')).toHaveLength(1));
    await c.idle();
    s.send('message.created', '1', { message: msg('visitor', 'same', 'v-other') });
    await waitFor(() => expect(c.ui.bubbles()).toEqual([GREETING, 'you: same', 'you: same']));
  });

  it("shows typing once the stream echoes this tab's message, before its post answers", async () => {
    const c = await chat({ [`POST ${API}/c1/messages`]: () => new Promise(() => {}) });
    const s = await c.live();
    c.type('hi');
    c.submit();
    await waitFor(() => expect(c.calls.filter((x) => x.method == 'POST')).toHaveLength(1));
    expect(typing(c)).toBe(false);
    s.send('message.created', '1', { message: msg('visitor', 'hi', 'v1') });
    await waitFor(() => expect(typing(c)).toBe(true));
    expect(c.ui.bubbles()).toEqual([GREETING, 'you: hi']);
  });

  it('stops typing when the chat is locked, and a Retry after that posts nothing', async () => {
    const c = await chat({ [`POST ${API}/c1/messages`]: () => hubError(503, 'unavailable') });
    const s = await c.live();
    c.type('hi');
    c.submit();
    await waitFor(() => expect(c.ui.retryButtons()).toHaveLength(1));
    s.send('message.created', '1', { message: msg('visitor', 'other tab', 'v9') });
    await waitFor(() => expect(typing(c)).toBe(true));
    s.send('stream.closed', '2', { reason: 'session_expired' });
    await waitFor(() => expect(c.ui.input()!.disabled).toBe(true));
    expect(c.ui.status()!.hidden).toBe(true);
    c.ui.retryButtons()[0]!.click();
    await c.idle();
    expect(c.calls.filter((x) => x.method == 'POST')).toHaveLength(1);
  });

  it('locks the chat as expired when its stream answers 401', async () => {
    const c = await chat({ [`GET ${API}/c1/events`]: () => hubError(401, 'session_invalid') });
    await waitFor(() => expect(c.ui.input()!.disabled).toBe(true));
    expect(c.doc.body.textContent).toContain(EN.expired);
  });

  it('ignores a failure event without a message and an event of a kind it does not know', async () => {
    const c = await chat();
    const s = await c.live();
    s.send('message.failed', '1', { message: null, error: { message: 'x' } });
    s.send('message.updated', '2', { message: msg('agent', 'unknown kind', 'm1') });
    s.send('message.created', '3', { message: msg('agent', 'known', 'm2') });
    await waitFor(() => expect(c.ui.bubbles()).toEqual([GREETING, 'agent: known']));
    expect(c.doc.querySelectorAll('.kv-note')).toHaveLength(0);
  });

  it('skips an entry of the history that is no message', async () => {
    const c = await chat({ [`GET ${API}/c1/messages`]: () => json(200, { data: [{ id: 'x' }, msg('agent', 'kept', 'm1')], last_event_id: '2' }) });
    await waitFor(() => expect(c.ui.bubbles()).toEqual([GREETING, 'agent: kept']));
  });

  it('keeps a message shown, unmarked, when its post answers without one', async () => {
    const c = await chat({ [`POST ${API}/c1/messages`]: () => json(202, {}) });
    c.type('hi');
    c.submit();
    await waitFor(() => expect(c.calls.filter((x) => x.method == 'POST')).toHaveLength(1));
    await c.idle();
    expect([c.ui.bubbles(), c.ui.failed()]).toEqual([[GREETING, 'you: hi'], []]);
  });

  it("takes no agent message for this tab's pending one, nor a visitor message of other words", async () => {
    let answer!: () => void;
    const c = await chat({ [`POST ${API}/c1/messages`]: (b) => new Promise((r) => (answer = () => r(json(202, { message: msg('visitor', b.text, 'v-mine') })))) });
    const s = await c.live();
    c.type('hi');
    c.submit();
    await waitFor(() => expect(c.calls.filter((x) => x.method == 'POST')).toHaveLength(1));
    s.send('message.created', '1', { message: msg('agent', 'hi', 'a1') });
    s.send('message.created', '2', { message: msg('visitor', 'other words', 'v-other') });
    await waitFor(() => expect(c.ui.bubbles()).toEqual([GREETING, 'you: hi', 'agent: hi', 'you: other words']));
    answer();
    await c.idle();
    expect(c.ui.bubbles()).toEqual([GREETING, 'you: hi', 'agent: hi', 'you: other words']);
  });
});
