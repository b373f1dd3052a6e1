import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_REPORTED_CONTEXT_BYTES } from '../../src/protocol/agent-webhook.js';
import { MAX_MESSAGE_LENGTH } from '../../src/protocol/widget-api.js';
import type { CommandMessage } from '../../src/protocol/messages.js';
import { AGENT, cleanup, deferred, fakeFetch, hubError, json, mountFrame, msg, sseStream, STORE_KEY, waitFor } from './fixture.js';
import { EN } from '../../src/frame/strings.js';

afterEach(cleanup);

const CONV = 'POST /api/v1/widget/conversations';
const list = (id: string) => 'GET /api/v1/widget/conversations/' + id + '/messages';
const post = (id: string) => 'POST /api/v1/widget/conversations/' + id + '/messages';
const events = (id: string) => 'GET /api/v1/widget/conversations/' + id + '/events';
const GREETING = 'agent: ' + AGENT.greeting;
const created = { [CONV]: () => json(201, { id: 'c1', created_at: '' }) };

/**
 * An open frame over `routes`, with the events of conversation `c1` written by the test (`streams`,
 * one per connection). Posts answer 202 with the stored message (id `v:<text>`) unless a route says else.
 */
async function chat(routes: Parameters<typeof fakeFetch>[0] = {}, opts: { stored?: string; open?: boolean; storage?: () => Storage; holdFrames?: boolean; before?: CommandMessage[] } = {}) {
  const streams: ReturnType<typeof sseStream>[] = [];
  const ff = fakeFetch({
    ...created,
    [post('c1')]: (b) => json(202, { message: msg('visitor', b.text, 'v:' + b.text) }),
    [events('c1')]: (_b, _c, init) => {
      const s = sseStream();
      streams.push(s);
      return s.response(init.signal);
    },
    ...routes,
  });
  const f = mountFrame({ fetch: ff.fetch, storage: opts.storage, holdFrames: opts.holdFrames });
  if (opts.stored) f.win.localStorage.setItem(STORE_KEY, opts.stored);
  f.init({ open: opts.open ?? true, before: opts.before });
  await waitFor(() => expect(f.got).toContainEqual({ v: 1, type: 'ready' }));
  const posts = () => ff.calls.filter((c) => c.path.endsWith('/messages') && c.method == 'POST').map((c) => c.body);
  /** Submits `text`, then waits until it was posted, or failed, or locked the chat. */
  const send = async (text: string) => {
    const before = posts().length;
    const notes = f.doc.querySelectorAll('.kv-note').length;
    f.type(text);
    f.submit();
    await waitFor(() => expect(posts().length > before || f.doc.querySelectorAll('.kv-note').length > notes || f.ui.input()!.disabled).toBe(true));
    await new Promise((r) => setTimeout(r, 5));
  };
  /** The live stream: waits for the reader to connect. */
  const live = async () => {
    await waitFor(() => expect(streams.length).toBeGreaterThan(0));
    return streams[streams.length - 1]!;
  };
  return { ...f, ...ff, send, live, streams, posts };
}

describe('conversations', () => {
  it('creates a conversation on the first message, stores its id and listens to it', async () => {
    const c = await chat();
    await c.send('hello');
    expect(c.calls.map((x) => x.method + ' ' + x.path)).toEqual([CONV, events('c1'), post('c1')]);
    expect(c.calls[1]!.lastEventId).toBeUndefined();
    expect(c.posts()).toEqual([{ text: 'hello', client_message_id: 'cm_1' }]);
    expect(c.calls.every((x) => x.auth == 'Bearer tok_1')).toBe(true);
    expect(c.win.localStorage.getItem(STORE_KEY)).toBe('c1');
    expect(c.ui.bubbles()).toEqual([GREETING, 'you: hello']);
  });

  it('shows the reply the stream brings, and the visitor message once though the stream echoes it', async () => {
    const c = await chat();
    await c.send('hello');
    const s = await c.live();
    s.send('message.created', '1', { message: msg('visitor', 'hello', 'v:hello') });
    s.send('message.created', '2', { message: msg('agent', '', 'a1', 'streaming') });
    s.send('message.delta', '2.5', { message_id: 'a1', text: 'Hi **there**' });
    s.send('message.completed', '3', { message: msg('agent', 'Hi **there**!', 'a1') });
    await waitFor(() => expect(c.ui.bubbles()).toEqual([GREETING, 'you: hello', 'agent: Hi there!']));
    expect(c.doc.querySelector('.kv-agent strong')!.textContent).toBe('there');
  });

  it('takes an echo that beats the post answer as the same message', async () => {
    let answer!: () => void;
    const c = await chat({
      [post('c1')]: async (b) => {
        await new Promise<void>((r) => (answer = r));
        return json(202, { message: msg('visitor', b.text, 'v1') });
      },
    });
    c.type('hello');
    c.submit();
    const s = await c.live();
    s.send('message.created', '1', { message: msg('visitor', 'hello', 'v1') });
    await new Promise((r) => setTimeout(r, 10));
    answer();
    await new Promise((r) => setTimeout(r, 10));
    expect(c.ui.bubbles()).toEqual([GREETING, 'you: hello']);
  });

  it("shows another tab's message, once", async () => {
    const c = await chat({ [list('c1')]: () => json(200, { data: [], last_event_id: '0' }) }, { stored: 'c1' });
    const s = await c.live();
    s.send('message.created', '1', { message: msg('visitor', 'from the other tab', 'v7') });
    s.send('message.created', '1', { message: msg('visitor', 'from the other tab', 'v7') });
    await waitFor(() => expect(c.ui.bubbles()).toEqual([GREETING, 'you: from the other tab']));
  });

  it('loads the history, a streaming reply with its text so far, and resumes after it', async () => {
    const c = await chat(
      { [list('c1')]: () => json(200, { data: [msg('visitor', 'earlier'), msg('agent', 'Half an ans', 'a1', 'streaming')], last_event_id: '2.11' }) },
      { stored: 'c1' },
    );
    const s = await c.live();
    expect(c.calls.find((x) => x.path.endsWith('/events'))!.lastEventId).toBe('2.11');
    await waitFor(() => expect(c.ui.bubbles()).toEqual([GREETING, 'you: earlier', 'agent: Half an ans']));
    expect(c.doc.querySelector('.kv-streaming')).not.toBeNull();
    s.send('message.delta', '2.17', { message_id: 'a1', text: 'wer. ' });
    s.send('message.completed', '3', { message: msg('agent', 'Half an answer. Done', 'a1') });
    await waitFor(() => expect(c.ui.bubbles()).toEqual([GREETING, 'you: earlier', 'agent: Half an answer. Done']));
    expect(c.doc.querySelector('.kv-streaming')).toBeNull();
  });

  it('reads the whole conversation from the stream when the list fails', async () => {
    const c = await chat({ [list('c1')]: () => hubError(503, 'unavailable') }, { stored: 'c1' });
    const s = await c.live();
    expect(c.calls.find((x) => x.path.endsWith('/events'))!.lastEventId).toBeUndefined();
    s.send('message.created', '1', { message: msg('visitor', 'earlier', 'v1') });
    await waitFor(() => expect(c.ui.bubbles()).toEqual([GREETING, 'you: earlier']));
  });

  it('forgets a stored id the hub answers 404 for, and starts a new conversation', async () => {
    const c = await chat({ [list('gone')]: () => hubError(404, 'conversation_not_found') }, { stored: 'gone' });
    await waitFor(() => expect(c.win.localStorage.getItem(STORE_KEY)).toBeNull());
    expect(c.ui.error()!.textContent).toBe('');
    await c.send('hi');
    expect(c.win.localStorage.getItem(STORE_KEY)).toBe('c1');
  });

  it('replaces a conversation that vanished before a send, once, with the same client id', async () => {
    const c = await chat({ [list('old')]: () => json(200, { data: [], last_event_id: '0' }), [post('old')]: () => hubError(404, 'conversation_not_found') }, { stored: 'old' });
    await c.send('hi');
    await waitFor(() => expect(c.posts()).toHaveLength(2));
    expect(c.win.localStorage.getItem(STORE_KEY)).toBe('c1');
    expect(c.posts()).toEqual([
      { text: 'hi', client_message_id: 'cm_1' },
      { text: 'hi', client_message_id: 'cm_1' },
    ]);
  });

  it('encodes the id in the path', async () => {
    const c = await chat({ [list('a%2Fb')]: () => json(200, { data: [msg('agent', 'ok')], last_event_id: '1' }) }, { stored: 'a/b' });
    await waitFor(() => expect(c.ui.bubbles()).toEqual([GREETING, 'agent: ok']));
    await waitFor(() => expect(c.calls.map((x) => x.path)).toContain('/api/v1/widget/conversations/a%2Fb/events'));
  });
});

describe('streaming render', () => {
  it('renders a burst of deltas once, on the next frame', async () => {
    const c = await chat({ [list('c1')]: () => json(200, { data: [], last_event_id: '0' }) }, { stored: 'c1', holdFrames: true });
    const s = await c.live();
    s.send('message.created', '1', { message: msg('agent', '', 'a1', 'streaming') });
    for (const [i, w] of ['One', ' two', ' **three**'].entries()) s.send('message.delta', '1.' + i, { message_id: 'a1', text: w });
    await waitFor(() => expect(c.frames).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 10));
    // Three deltas, still one frame asked for; nothing drawn before it.
    expect(c.frames).toHaveLength(1);
    expect(c.ui.bubbles()).toEqual([GREETING, 'agent: ']);
    c.frames.shift()!();
    expect(c.ui.bubbles()).toEqual([GREETING, 'agent: One two three']);
    expect(c.doc.querySelector('.kv-streaming strong')!.textContent).toBe('three');
  });

  it('stops the typing dots at an empty agent.status (the agent answers later)', async () => {
    const c = await chat();
    await c.send('hello');
    await waitFor(() => expect(c.ui.status()!.hidden).toBe(false));
    expect(c.ui.status()!.classList.contains('kv-typing')).toBe(true);
    (await c.live()).send('agent.status', '0', { text: '' });
    await waitFor(() => expect(c.ui.status()!.hidden).toBe(true));
  });

  it('says under the title who answers while a person has the conversation, and shows nobody typing', async () => {
    const c = await chat({ [list('c1')]: () => json(200, { data: [], last_event_id: '0' }) }, { stored: 'c1' });
    const s = await c.live();
    const said: string[] = [];
    new c.win.MutationObserver(() => said.push(c.ui.live()!.textContent!)).observe(c.ui.live() as never, { childList: true, characterData: true, subtree: true });
    const who = () => c.doc.querySelector('.kv-answerer') as HTMLElement;
    s.send('conversation.updated', '0', { taken_over_by: null });
    expect(who().hidden).toBe(true);
    s.send('conversation.updated', '0', { taken_over_by: 'Sam' });
    await waitFor(() => expect(who().hidden).toBe(false));
    expect(who().textContent).toBe(EN.chattingWith('Sam'));
    // The dialog's description: said on opening the panel later too. The composer names who reads it.
    expect(c.doc.getElementById(c.doc.querySelector('[role="dialog"]')!.getAttribute('aria-describedby')!)).toBe(who());
    const composer = () => c.doc.querySelector('label[for="kv-input"]')!.textContent;
    expect(composer()).toBe(EN.composerLabel('Sam'));
    await c.send('hello');
    s.send('message.created', '1', { message: msg('visitor', 'hello', 'v:hello') });
    await new Promise((r) => setTimeout(r, 20));
    // The agent is not called while a person has it: no "Ada is typing".
    expect(c.ui.status()!.hidden).toBe(true);
    s.send('conversation.updated', '1', { taken_over_by: null });
    await waitFor(() => expect(who().hidden).toBe(true));
    expect(composer()).toBe(EN.composerLabel('Ada'));
    expect(said).toEqual([EN.chattingWith('Sam'), EN.chattingWith('Ada')]);
  });

  it('names nobody after a logout: the next visitor here is not told a person has their conversation', async () => {
    const c = await chat({ [list('c1')]: () => json(200, { data: [], last_event_id: '0' }) }, { stored: 'c1' });
    (await c.live()).send('conversation.updated', '0', { taken_over_by: 'Sam' });
    const who = () => c.doc.querySelector('.kv-answerer') as HTMLElement;
    await waitFor(() => expect(who().hidden).toBe(false));
    c.command({ v: 1, type: 'command', name: 'logout' });
    await c.handled();
    await waitFor(() => expect(c.win.localStorage.getItem(STORE_KEY)).toBeNull());
    expect([who().hidden, who().textContent]).toEqual([true, '']);
    // And the next visitor's first message shows the agent typing again.
    await c.send('hello');
    await waitFor(() => expect(c.ui.status()!.classList.contains('kv-typing')).toBe(true));
  });

  it('gives the typing dots words for screen readers and announces each status once', async () => {
    const c = await chat({ [list('c1')]: () => json(200, { data: [], last_event_id: '0' }) }, { stored: 'c1' });
    const s = await c.live();
    const said: string[] = [];
    new c.win.MutationObserver(() => said.push(c.ui.live()!.textContent!)).observe(c.ui.live() as never, { childList: true, characterData: true, subtree: true });
    await c.send('hello');
    s.send('message.created', '1', { message: msg('visitor', 'hello', 'v1') });
    await waitFor(() => expect(c.ui.status()!.classList.contains('kv-typing')).toBe(true));
    expect(c.ui.status()!.getAttribute('aria-hidden')).toBeNull();
    expect(c.ui.status()!.textContent).toBe('Ada is typing…');
    s.send('agent.status', '2', { text: 'Searching…' });
    s.send('agent.status', '3', { text: 'Searching…' });
    s.send('message.completed', '4', { message: msg('agent', 'Found it', 'a1') });
    await waitFor(() => expect(said.at(-1)).toBe('Ada: Found it'));
    expect(said).toEqual(['Ada is typing…', 'Searching…', 'Ada: Found it']);
  });

  it('stamps each message with its local time in the frame\'s language, and groups a side\'s run', async () => {
    const c = await chat({
      [list('c1')]: () => json(200, { data: [msg('visitor', 'one'), msg('visitor', 'two'), { ...msg('agent', 'three'), created_at: 'not a time' }], last_event_id: '3' }),
    }, { stored: 'c1' });
    await waitFor(() => expect(c.ui.bubbles()).toHaveLength(4));
    const bubbles = [...c.doc.querySelectorAll('.kv-msg')];
    // The greeting has no moment; an unreadable time shows none.
    expect(bubbles.map((b) => b.querySelector('time')?.dateTime ?? null)).toEqual([null, '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z', null]);
    const shown = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' }).format(new Date('2025-01-01T00:00:00.000Z'));
    expect(bubbles[1]!.querySelector('time')!.textContent).toBe(shown);
    expect(bubbles.map((b) => b.classList.contains('kv-cont'))).toEqual([false, false, true, false]);
  });

  it('builds no date format before ready (the greeting has no time), and one for every stamp after', async () => {
    // The first Intl.DateTimeFormat of a renderer loads ICU data: tens of ms the launcher must not wait for.
    const Format = Intl.DateTimeFormat;
    const formats = vi.spyOn(Intl, 'DateTimeFormat').mockImplementation(function (...args: ConstructorParameters<typeof Format>) {
      return new Format(...args);
    } as never);
    try {
      const history = deferred<Response>();
      const c = await chat({ [list('c1')]: () => history.promise }, { stored: 'c1' });
      expect(formats).not.toHaveBeenCalled();
      history.resolve(json(200, { data: [msg('visitor', 'one'), msg('agent', 'two')], last_event_id: '2' }));
      await waitFor(() => expect(c.ui.bubbles()).toHaveLength(3));
      await c.send('three');
      expect(c.doc.querySelectorAll('.kv-msg time')).toHaveLength(3);
      expect(formats).toHaveBeenCalledTimes(1);
    } finally {
      formats.mockRestore();
    }
  });

  it('shows the agent status while it works and clears it with the reply', async () => {
    const c = await chat({ [list('c1')]: () => json(200, { data: [], last_event_id: '0' }) }, { stored: 'c1' });
    const s = await c.live();
    s.send('agent.status', '0', { text: 'Searching the catalogue…' });
    await waitFor(() => expect(c.ui.status()!.textContent).toBe('Searching the catalogue…'));
    expect(c.ui.status()!.hidden).toBe(false);
    s.send('message.completed', '1', { message: msg('agent', 'Found it', 'a1') });
    await waitFor(() => expect(c.ui.status()!.hidden).toBe(true));
  });

  it('tells screen readers once per completed message, not per delta', async () => {
    const c = await chat({ [list('c1')]: () => json(200, { data: [], last_event_id: '0' }) }, { stored: 'c1' });
    const s = await c.live();
    const said: string[] = [];
    new c.win.MutationObserver(() => said.push(c.ui.live()!.textContent!)).observe(c.ui.live() as never, { childList: true, characterData: true, subtree: true });
    s.send('message.created', '1', { message: msg('agent', '', 'a1', 'streaming') });
    s.send('message.delta', '1.3', { message_id: 'a1', text: 'One' });
    s.send('message.delta', '1.7', { message_id: 'a1', text: ' two' });
    s.send('message.completed', '2', { message: msg('agent', 'One *two*', 'a1') });
    await waitFor(() => expect(said).toEqual(['Ada: One two']));
    expect(c.ui.log()!.getAttribute('aria-live')).toBe('off');
  });

  it('tells the page of each completed reply, with its markdown', async () => {
    const c = await chat({ [list('c1')]: () => json(200, { data: [msg('agent', 'old')], last_event_id: '1' }) }, { stored: 'c1' });
    const s = await c.live();
    s.send('message.created', '2', { message: msg('agent', '', 'a1', 'streaming') });
    s.send('message.delta', '2.4', { message_id: 'a1', text: '**Hi**' });
    s.send('message.completed', '3', { message: msg('agent', '**Hi**', 'a1') });
    s.send('message.created', '4', { message: { ...msg('person', 'Sam here', 'p1'), author_name: 'Sam' } });
    await waitFor(() => expect(c.got.filter((m) => m.type == 'event')).toHaveLength(2));
    expect(c.got.filter((m) => m.type == 'event')).toEqual([
      { v: 1, type: 'event', name: 'message', detail: { role: 'agent', text: '**Hi**' } },
      { v: 1, type: 'event', name: 'message', detail: { role: 'person', text: 'Sam here' } },
    ]);
    expect(c.doc.querySelector('.kv-person .kv-who')!.textContent).toBe('Sam: ');
  });
});

describe('scrolling', () => {
  /** happy-dom lays nothing out: give the log a geometry to scroll in. */
  function geometry(log: HTMLElement, at: { top: number }) {
    Object.defineProperty(log, 'clientHeight', { value: 300, configurable: true });
    Object.defineProperty(log, 'scrollHeight', { get: () => 300 + log.querySelectorAll('.kv-msg').length * 100, configurable: true });
    Object.defineProperty(log, 'scrollTop', { get: () => at.top, set: (v: number) => (at.top = v), configurable: true });
  }

  it('follows new text at the bottom, offers the pill when scrolled up, and the pill scrolls down', async () => {
    const c = await chat({ [list('c1')]: () => json(200, { data: [msg('agent', 'a'), msg('agent', 'b')], last_event_id: '2' }) }, { stored: 'c1' });
    const log = c.ui.log()!;
    const at = { top: 0 };
    geometry(log, at);
    const s = await c.live();
    at.top = log.scrollHeight - 300;
    s.send('message.completed', '3', { message: msg('agent', 'c', 'c') });
    await waitFor(() => expect(c.ui.bubbles()).toHaveLength(4));
    expect(at.top).toBe(log.scrollHeight);
    expect(c.ui.pill()!.hidden).toBe(true);
    // The visitor scrolls up to read; a reply comes: nothing moves, the pill shows.
    at.top = 0;
    s.send('message.completed', '4', { message: msg('agent', 'd', 'd') });
    await waitFor(() => expect(c.ui.bubbles()).toHaveLength(5));
    expect(at.top).toBe(0);
    expect(c.ui.pill()!.hidden).toBe(false);
    expect(c.ui.pill()!.textContent).toBe('New messages');
    c.ui.pill()!.click();
    expect(at.top).toBe(log.scrollHeight);
    expect(c.ui.pill()!.hidden).toBe(true);
    expect(c.doc.activeElement).toBe(c.ui.input());
  });

  it('hides the pill once the visitor scrolls down by hand', async () => {
    const c = await chat({ [list('c1')]: () => json(200, { data: [msg('agent', 'a')], last_event_id: '1' }) }, { stored: 'c1' });
    const log = c.ui.log()!;
    const at = { top: 0 };
    geometry(log, at);
    const s = await c.live();
    s.send('message.completed', '2', { message: msg('agent', 'b', 'b') });
    await waitFor(() => expect(c.ui.pill()!.hidden).toBe(false));
    at.top = log.scrollHeight - 300;
    log.dispatchEvent(new c.win.Event('scroll') as unknown as Event);
    expect(c.ui.pill()!.hidden).toBe(true);
  });

  it("brings the log down to the visitor's own message", async () => {
    const c = await chat();
    const log = c.ui.log()!;
    const at = { top: 0 };
    geometry(log, at);
    await c.send('hello');
    expect(at.top).toBe(log.scrollHeight);
  });
});

describe('retry', () => {
  it('marks a failed post, and Retry re-posts the same client_message_id: one message on screen', async () => {
    let n = 0;
    const c = await chat({ [post('c1')]: (b) => (n++ ? json(200, { message: msg('visitor', b.text, 'v1') }) : Promise.reject(new TypeError('Failed to fetch'))) });
    await c.send('hello');
    await waitFor(() => expect(c.ui.failed()).toEqual(['hello']));
    expect(c.doc.querySelector('.kv-note')!.textContent).toContain('Could not reach the chat service');
    expect(c.ui.input()!.disabled).toBe(false);
    c.ui.retryButtons()[0]!.click();
    await waitFor(() => expect(c.posts()).toHaveLength(2));
    expect(c.posts()).toEqual([
      { text: 'hello', client_message_id: 'cm_1' },
      { text: 'hello', client_message_id: 'cm_1' },
    ]);
    await waitFor(() => expect(c.ui.failed()).toEqual([]));
    // The hub had stored the first after all: the stream's copy lands on the same bubble.
    (await c.live()).send('message.created', '1', { message: msg('visitor', 'hello', 'v1') });
    await new Promise((r) => setTimeout(r, 10));
    expect(c.ui.bubbles()).toEqual([GREETING, 'you: hello']);
  });

  it('clears the mark when the stream shows the hub stored the message after all', async () => {
    const c = await chat({ [post('c1')]: () => Promise.reject(new TypeError('Failed to fetch')) });
    await c.send('hello');
    await waitFor(() => expect(c.ui.failed()).toEqual(['hello']));
    (await c.live()).send('message.created', '1', { message: msg('visitor', 'hello', 'v1') });
    await waitFor(() => expect(c.ui.failed()).toEqual([]));
    expect(c.ui.bubbles()).toEqual([GREETING, 'you: hello']);
  });

  it('says why a post was refused (429) and keeps the text on its bubble to retry', async () => {
    const c = await chat({ [post('c1')]: () => hubError(429, 'rate_limited') });
    await c.send('hello');
    await waitFor(() => expect(c.ui.failed()).toEqual(['hello']));
    expect(c.doc.querySelector('.kv-note')!.textContent).toMatch(/^Not sent\. You're sending messages too fast/);
    expect(c.ui.retryButtons()).toHaveLength(1);
  });

  it('marks a failed reply with its reason, its partial text kept, and Retry asks again with the same id', async () => {
    const c = await chat();
    await c.send('hello');
    const s = await c.live();
    s.send('message.created', '2', { message: msg('agent', '', 'a1', 'streaming') });
    s.send('message.delta', '2.4', { message_id: 'a1', text: 'Let ' });
    s.send('message.failed', '3', { message_id: 'a1', error: { type: 'agent_timeout', message: 'The assistant took too long to answer. Please try again.' }, message: msg('agent', 'Let ', 'a1', 'failed') });
    await waitFor(() => expect(c.ui.failed()).toEqual(['Let']));
    expect(c.doc.querySelector('.kv-failed .kv-note')!.textContent).toBe(EN.replyTimeout(AGENT.name) + EN.retry);
    expect(c.ui.status()!.hidden).toBe(true);
    c.ui.retryButtons()[0]!.click();
    await waitFor(() => expect(c.posts()).toHaveLength(2));
    // The same client_message_id: the hub answers it with a new turn (202), not a second message.
    expect(c.posts()[1]).toEqual({ text: 'hello', client_message_id: 'cm_1' });
    expect(c.ui.retryButtons()).toHaveLength(0);
    await waitFor(() => expect(c.ui.status()!.hidden).toBe(false));
    expect(c.ui.bubbles()).toEqual([GREETING, 'you: hello', 'agent: Let']);
    s.send('message.created', '4', { message: msg('agent', 'Let me see: yes.', 'a2') });
    await waitFor(() => expect(c.ui.bubbles()).toEqual([GREETING, 'you: hello', 'agent: Let', 'agent: Let me see: yes.']));
    expect(c.ui.failed()).toEqual(['Let']);
    expect(c.ui.status()!.hidden).toBe(true);
  });

  it("takes a failed reply's Retry away while a person answers, moving focus from it to the composer, and gives it back", async () => {
    const c = await chat(
      { [list('c1')]: () => json(200, { data: [msg('visitor', 'earlier', 'v1'), msg('agent', '', 'a1', 'failed')], last_event_id: '3' }) },
      { stored: 'c1' },
    );
    await waitFor(() => expect(c.ui.retryButtons()).toHaveLength(1));
    const panel = c.doc.querySelector('.kv-panel')!;
    c.ui.retryButtons()[0]!.focus();
    const s = await c.live();
    s.send('conversation.updated', '4', { taken_over_by: 'Sam' });
    // frame.css hides the agent's Retry under this class (checked in Chromium: test/e2e/conversation.test.ts).
    await waitFor(() => expect(panel.classList.contains('kv-by-person')).toBe(true));
    expect(c.doc.activeElement).toBe(c.ui.input());
    s.send('conversation.updated', '5', { taken_over_by: null });
    await waitFor(() => expect(panel.classList.contains('kv-by-person')).toBe(false));
    expect(c.ui.retryButtons()).toHaveLength(1);
  });

  it('leaves focus on a Retry of an unsent message when a person takes over: the person reads it', async () => {
    const c = await chat({ [list('c1')]: () => json(200, { data: [], last_event_id: '0' }), [post('c1')]: () => Promise.reject(new TypeError('Failed to fetch')) }, { stored: 'c1' });
    const s = await c.live();
    await c.send('hello');
    await waitFor(() => expect(c.ui.failed()).toEqual(['hello']));
    c.ui.retryButtons()[0]!.focus();
    s.send('conversation.updated', '1', { taken_over_by: 'Sam' });
    await waitFor(() => expect(c.doc.querySelector('.kv-panel')!.classList.contains('kv-by-person')).toBe(true));
    expect(c.doc.activeElement).toBe(c.ui.retryButtons()[0]);
  });

  it('asks again in a new message about a failed reply of the history, whose id this tab never knew', async () => {
    const c = await chat(
      { [list('c1')]: () => json(200, { data: [msg('visitor', 'earlier', 'v1'), msg('agent', '', 'a1', 'failed')], last_event_id: '3' }) },
      { stored: 'c1' },
    );
    await waitFor(() => expect(c.ui.retryButtons()).toHaveLength(1));
    c.ui.retryButtons()[0]!.click();
    await waitFor(() => expect(c.posts()).toEqual([{ text: 'earlier', client_message_id: 'cm_1' }]));
  });

  it('shows no typing after a Retry of a failed post that the hub had stored (200)', async () => {
    let n = 0;
    const c = await chat({ [post('c1')]: (b) => (n++ ? json(200, { message: msg('visitor', b.text, 'v1') }) : hubError(503, 'unavailable')) });
    await c.send('hello');
    await waitFor(() => expect(c.ui.failed()).toEqual(['hello']));
    c.ui.retryButtons()[0]!.click();
    await waitFor(() => expect(c.ui.failed()).toEqual([]));
    // 200: the hub had it, and its reply is under way or done: nothing says the agent is typing.
    expect(c.ui.status()!.hidden).toBe(true);
  });

  it('401 locks the composer with the expired line', async () => {
    const c = await chat({ [CONV]: () => hubError(401, 'session_invalid') });
    await c.send('hello');
    await waitFor(() => expect(c.ui.error()!.textContent).toBe('This chat session has expired. Reload the page to continue.'));
    expect(c.ui.input()!.disabled).toBe(true);
    expect(c.ui.sendButton()!.disabled).toBe(true);
  });

  it.each([
    ['key_disabled', 'Widget key …abcd1234 is disabled. Enable it (PATCH disabled: false) or create a new key'],
    ['origin_not_allowed', 'Origin https://shop.test is not in the domain allowlist of key …abcd1234. Add it to the key\'s domain_allowlist'],
  ])('a post refused as %s locks the composer in the visitor\'s words, not the owner\'s', async (type, message) => {
    const c = await chat({ [CONV]: () => hubError(403, type, message) });
    await c.send('hello');
    await waitFor(() => expect(c.ui.error()!.textContent).toBe(EN.unavailable));
    expect(c.ui.input()!.disabled).toBe(true);
    expect(c.doc.body.textContent).not.toContain(message);
  });

  it('locks the chat when the stream is closed for good', async () => {
    const c = await chat({ [list('c1')]: () => json(200, { data: [], last_event_id: '0' }) }, { stored: 'c1' });
    (await c.live()).send('stream.closed', '0', { reason: 'key_disabled' });
    await waitFor(() => expect(c.ui.error()!.textContent).toBe('This chat is no longer available on this site.'));
    expect(c.ui.input()!.disabled).toBe(true);
  });
});

describe('unread', () => {
  it('counts replies that arrive while closed, says so, and clears on open', async () => {
    const c = await chat({ [list('c1')]: () => json(200, { data: [msg('agent', 'old')], last_event_id: '1' }) }, { stored: 'c1', open: false });
    const s = await c.live();
    expect(c.ui.badge()!.hidden).toBe(true);
    s.send('message.created', '2', { message: msg('agent', '', 'a1', 'streaming') });
    s.send('message.delta', '2.2', { message_id: 'a1', text: 'Hi' });
    await new Promise((r) => setTimeout(r, 10));
    expect(c.ui.badge()!.hidden).toBe(true);
    s.send('message.completed', '3', { message: msg('agent', 'Hi', 'a1') });
    s.send('message.completed', '3', { message: msg('agent', 'Hi', 'a1') });
    s.send('message.created', '4', { message: msg('agent', 'And more', 'a2') });
    await waitFor(() => expect(c.ui.badge()!.textContent).toBe('2'));
    expect(c.ui.badge()!.hidden).toBe(false);
    expect(c.ui.badge()!.getAttribute('aria-hidden')).toBe('true');
    expect(c.ui.launcher()!.getAttribute('aria-label')).toBe('Open chat with Ada, 2 new messages');
    expect(c.ui.live()!.textContent).toBe('2 new messages from Ada');
    c.ui.launcher()!.click();
    expect(c.ui.badge()!.hidden).toBe(true);
    expect(c.ui.launcher()!.getAttribute('aria-label')).toBe('Close chat');
    c.ui.launcher()!.click();
    expect(c.ui.launcher()!.getAttribute('aria-label')).toBe('Open chat with Ada');
  });

  it("does not count the visitor's own messages or the history", async () => {
    const c = await chat({ [list('c1')]: () => json(200, { data: [msg('agent', 'old'), msg('agent', 'older')], last_event_id: '2' }) }, { stored: 'c1', open: false });
    const s = await c.live();
    s.send('message.created', '3', { message: msg('visitor', 'from another tab', 'v3') });
    await waitFor(() => expect(c.ui.bubbles()).toHaveLength(4));
    expect(c.ui.badge()!.hidden).toBe(true);
  });
});

describe('context', () => {
  it('sends the reported context with each message, cut to the byte limit', async () => {
    const c = await chat();
    c.command({ v: 1, type: 'command', name: 'context', arg: { cart: 3, page: '/tents', big: 'x'.repeat(MAX_REPORTED_CONTEXT_BYTES) } });
    await c.handled();
    await c.send('hello');
    expect(c.posts()).toEqual([{ text: 'hello', client_message_id: 'cm_1', context: { cart: 3, page: '/tents' } }]);
    expect(c.warnings).toEqual([`[kataven] Kataven("context") is over ${MAX_REPORTED_CONTEXT_BYTES} bytes of JSON; left out: big`]);
  });

  it('sends the context the page gave before the session', async () => {
    const c = await chat({}, { before: [{ v: 1, type: 'command', name: 'context', arg: { page: '/tents' } }] });
    await c.send('hello');
    expect(c.posts()).toEqual([{ text: 'hello', client_message_id: 'cm_1', context: { page: '/tents' } }]);
  });

  it('sends the latest context', async () => {
    const c = await chat({}, { before: [{ v: 1, type: 'command', name: 'context', arg: { page: '/a' } }] });
    c.command({ v: 1, type: 'command', name: 'context', arg: { page: '/b' } });
    await c.handled();
    await c.send('hello');
    expect(c.posts()).toEqual([{ text: 'hello', client_message_id: 'cm_1', context: { page: '/b' } }]);
  });

  it('sends none for a value that is not a JSON object', async () => {
    const c = await chat();
    c.command({ v: 1, type: 'command', name: 'context', arg: ['not', 'an', 'object'] });
    await c.handled();
    await c.send('hello');
    expect(c.posts()).toEqual([{ text: 'hello', client_message_id: 'cm_1' }]);
  });
});

describe('input rules', () => {
  it('trims the message', async () => {
    const c = await chat();
    await c.send('  \n hello \n ');
    expect(c.posts()).toEqual([{ text: 'hello', client_message_id: 'cm_1' }]);
  });

  it('refuses an empty message', async () => {
    const c = await chat();
    c.type('  \n\t ');
    c.submit();
    await c.idle();
    expect(c.calls).toEqual([]);
    expect(c.ui.bubbles()).toEqual([GREETING]);
  });

  it('refuses a message over MAX_MESSAGE_LENGTH', async () => {
    const c = await chat();
    expect(c.ui.input()!.maxLength).toBe(MAX_MESSAGE_LENGTH);
    c.type('x'.repeat(MAX_MESSAGE_LENGTH + 1));
    c.submit();
    await c.idle();
    expect(c.calls).toEqual([]);
    expect(c.ui.error()!.textContent).toBe(`Messages can be at most ${MAX_MESSAGE_LENGTH} characters long.`);
    expect(c.ui.input()!.value).toHaveLength(MAX_MESSAGE_LENGTH + 1);
  });

  it('accepts exactly MAX_MESSAGE_LENGTH', async () => {
    const c = await chat();
    await c.send('x'.repeat(MAX_MESSAGE_LENGTH));
    expect(c.posts()).toHaveLength(1);
  });

  it('an unreadable body is a mark on the bubble, not a throw', async () => {
    const c = await chat({ [CONV]: () => new Response('<html>oops', { status: 500 }) });
    await c.send('hello');
    await waitFor(() => expect(c.doc.querySelector('.kv-note')!.textContent).toBe('Not sent. Something went wrong (HTTP 500). Please try again.Retry'));
  });
});

describe('storage', () => {
  it('falls back to memory when localStorage throws', async () => {
    const blocked = () => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    };
    const c = await chat({}, { storage: blocked });
    await c.send('one');
    await c.send('two');
    expect(c.calls.filter((x) => x.method == 'POST').map((x) => x.path)).toEqual([
      '/api/v1/widget/conversations',
      '/api/v1/widget/conversations/c1/messages',
      '/api/v1/widget/conversations/c1/messages',
    ]);
    expect(c.ui.error()!.textContent).toBe('');
  });
});
