import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_MESSAGE_LENGTH } from '../../src/protocol/widget-api.js';
import { AGENT, cleanup, fakeFetch, hubError, json, mountFrame, msg, STORE_KEY } from './fixture.js';

afterEach(cleanup);

const CONV = 'POST /api/v1/widget/conversations';
const list = (id: string) => 'GET /api/v1/widget/conversations/' + id + '/messages';
const post = (id: string) => 'POST /api/v1/widget/conversations/' + id + '/messages';
const reply = (b: { text: string }) => json(201, { data: [msg('visitor', b.text), msg('agent', 'echo: ' + b.text)] });
const GREETING = 'agent: ' + AGENT.greeting;

/** An open frame over `routes`; `stored` pre-fills localStorage with a conversation id. */
async function chat(routes: Parameters<typeof fakeFetch>[0], stored?: string, storage?: () => Storage) {
  const ff = fakeFetch(routes);
  const f = mountFrame({ fetch: ff.fetch, storage });
  if (stored) f.win.localStorage.setItem(STORE_KEY, stored);
  f.init({ open: true });
  await vi.waitFor(() => expect(f.got).toContainEqual({ v: 1, type: 'state', open: true }));
  const send = async (text: string) => {
    f.type(text);
    f.submit();
    // The typing indicator shows from submit until the answer (or failure) is in.
    await vi.waitFor(() => expect(f.doc.querySelector('.kv-typing')).toBeNull());
  };
  return { ...f, ...ff, send };
}

describe('conversations', () => {
  it('creates a conversation on the first message and stores its id', async () => {
    const c = await chat({ [CONV]: () => json(201, { id: 'c1', created_at: '' }), [post('c1')]: reply });
    await c.send('hello');
    expect(c.calls.map((x) => [x.method + ' ' + x.path, x.body])).toEqual([
      [CONV, {}],
      [post('c1'), { text: 'hello' }],
    ]);
    expect(c.calls.every((x) => x.auth == 'Bearer tok_1')).toBe(true);
    expect(c.win.localStorage.getItem(STORE_KEY)).toBe('c1');
    expect(c.ui.bubbles()).toEqual([GREETING, 'you: hello', 'agent: echo: hello']);
  });

  it('reuses the conversation for the next message', async () => {
    const c = await chat({ [CONV]: () => json(201, { id: 'c1', created_at: '' }), [post('c1')]: reply });
    await c.send('one');
    await c.send('two');
    expect(c.calls.filter((x) => x.path.endsWith('/conversations'))).toHaveLength(1);
    expect(c.ui.bubbles()).toHaveLength(5);
  });

  it('loads the history of a stored id', async () => {
    const c = await chat({ [list('c9')]: () => json(200, { data: [msg('visitor', 'earlier'), msg('agent', 'answer')] }) }, 'c9');
    await vi.waitFor(() => expect(c.ui.bubbles()).toEqual([GREETING, 'you: earlier', 'agent: answer']));
    expect(c.calls[0]).toMatchObject({ method: 'GET', auth: 'Bearer tok_1' });
  });

  it('forgets a stored id the hub answers 404 for', async () => {
    const c = await chat(
      {
        [list('gone')]: () => hubError(404, 'conversation_not_found'),
        [CONV]: () => json(201, { id: 'c2', created_at: '' }),
        [post('c2')]: reply,
      },
      'gone',
    );
    await vi.waitFor(() => expect(c.win.localStorage.getItem(STORE_KEY)).toBeNull());
    expect(c.ui.error()!.textContent).toBe('');
    await c.send('hi');
    expect(c.win.localStorage.getItem(STORE_KEY)).toBe('c2');
  });

  it('replaces a conversation that vanished before a send, once', async () => {
    const c = await chat(
      {
        [list('old')]: () => json(200, { data: [] }),
        [post('old')]: () => hubError(404, 'conversation_not_found'),
        [CONV]: () => json(201, { id: 'new', created_at: '' }),
        [post('new')]: reply,
      },
      'old',
    );
    await c.send('hi');
    expect(c.win.localStorage.getItem(STORE_KEY)).toBe('new');
    expect(c.ui.bubbles()).toEqual([GREETING, 'you: hi', 'agent: echo: hi']);
  });

  it('encodes the id in the path', async () => {
    const c = await chat({ [list('a%2Fb')]: () => json(200, { data: [msg('agent', 'ok')] }) }, 'a/b');
    await vi.waitFor(() => expect(c.ui.bubbles()).toEqual([GREETING, 'agent: ok']));
  });
});

describe('failures', () => {
  const created = { [CONV]: () => json(201, { id: 'c1', created_at: '' }) };

  it('502 says the agent could not answer and keeps the message', async () => {
    const c = await chat({ ...created, [post('c1')]: () => hubError(502, 'agent_unavailable', 'webhook timed out') });
    await c.send('hello');
    expect(c.ui.error()!.textContent).toBe('Ada could not answer right now. Please try again.');
    expect(c.ui.bubbles()).toEqual([GREETING, 'you: hello']);
    expect(c.ui.input()!.value).toBe('');
  });

  it('429 asks the visitor to slow down and gives the text back', async () => {
    const c = await chat({ ...created, [post('c1')]: () => hubError(429, 'rate_limited') });
    await c.send('hello');
    expect(c.ui.error()!.textContent).toMatch(/^You're sending messages too fast/);
    expect(c.ui.bubbles()).toEqual([GREETING]);
    expect(c.ui.input()!.value).toBe('hello');
  });

  it('a network failure says so', async () => {
    const c = await chat({ [CONV]: () => Promise.reject(new TypeError('Failed to fetch')) });
    await c.send('hello');
    expect(c.ui.error()!.textContent).toBe('Could not reach the chat service. Check your connection and try again.');
    expect(c.ui.input()!.value).toBe('hello');
  });

  it('401 locks the composer with the expired line', async () => {
    const c = await chat({ [CONV]: () => hubError(401, 'session_invalid') });
    await c.send('hello');
    expect(c.ui.error()!.textContent).toBe('This chat session has expired. Reload the page to continue.');
    expect(c.ui.input()!.disabled).toBe(true);
    expect(c.ui.sendButton()!.disabled).toBe(true);
  });

  it('clears the error line on the next send', async () => {
    let n = 0;
    const c = await chat({ ...created, [post('c1')]: (b) => (n++ ? reply(b) : hubError(429, 'rate_limited')) });
    await c.send('one');
    expect(c.ui.error()!.textContent).not.toBe('');
    await c.send('one');
    expect(c.ui.error()!.textContent).toBe('');
  });

  it('an unreadable body is an error line, not a throw', async () => {
    const c = await chat({ [CONV]: () => new Response('<html>oops', { status: 500 }) });
    await c.send('hello');
    expect(c.ui.error()!.textContent).toBe('Something went wrong (HTTP 500). Please try again.');
  });
});

describe('input rules', () => {
  it('trims the message', async () => {
    const c = await chat({ [CONV]: () => json(201, { id: 'c1', created_at: '' }), [post('c1')]: reply });
    await c.send('  \n hello \n ');
    expect(c.calls[1]!.body).toEqual({ text: 'hello' });
  });

  it('refuses an empty message', async () => {
    const c = await chat({});
    c.type('  \n\t ');
    c.submit();
    await c.idle();
    expect(c.calls).toEqual([]);
    expect(c.ui.bubbles()).toEqual([GREETING]);
  });

  it('refuses a message over MAX_MESSAGE_LENGTH', async () => {
    const c = await chat({});
    expect(c.ui.input()!.maxLength).toBe(MAX_MESSAGE_LENGTH);
    c.type('x'.repeat(MAX_MESSAGE_LENGTH + 1));
    c.submit();
    await c.idle();
    expect(c.calls).toEqual([]);
    expect(c.ui.error()!.textContent).toBe(`Messages can be at most ${MAX_MESSAGE_LENGTH} characters long.`);
    expect(c.ui.input()!.value).toHaveLength(MAX_MESSAGE_LENGTH + 1);
  });

  it('accepts exactly MAX_MESSAGE_LENGTH', async () => {
    const c = await chat({ [CONV]: () => json(201, { id: 'c1', created_at: '' }), [post('c1')]: reply });
    await c.send('x'.repeat(MAX_MESSAGE_LENGTH));
    expect(c.calls).toHaveLength(2);
  });
});

describe('storage', () => {
  it('falls back to memory when localStorage throws', async () => {
    const blocked = () => {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    };
    const c = await chat({ [CONV]: () => json(201, { id: 'c1', created_at: '' }), [post('c1')]: reply }, undefined, blocked);
    await c.send('one');
    await c.send('two');
    expect(c.calls.map((x) => x.path)).toEqual([
      '/api/v1/widget/conversations',
      '/api/v1/widget/conversations/c1/messages',
      '/api/v1/widget/conversations/c1/messages',
    ]);
    expect(c.ui.error()!.textContent).toBe('');
  });
});
