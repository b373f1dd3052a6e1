import { afterEach, describe, expect, it } from 'vitest';
import { accentColor } from '../../src/frame/view.js';
import { DE } from '../../src/frame/lang/de.js';
import type { CommandMessage } from '../../src/protocol/messages.js';
import { AGENT, cleanup, fakeFetch, json, mountFrame, msg, sseStream, STORE_KEY, waitFor } from './fixture.js';

afterEach(cleanup);

const READY = { v: 1, type: 'ready' };
const state = (open: boolean) => ({ v: 1, type: 'state', open });
const cmd = (name: string, arg?: unknown): CommandMessage => ({ v: 1, type: 'command', name, arg });

/** A frame with the session handed over and `ready` received. */
async function ready(over = {}, opts = {}) {
  const f = mountFrame(opts);
  f.init(over);
  await waitFor(() => expect(f.got).toContainEqual(READY));
  return f;
}

describe('launcher', () => {
  it('is a labelled button in the accent colour', async () => {
    const f = await ready();
    const b = f.ui.launcher()!;
    expect(b.tagName).toBe('BUTTON');
    expect(b.getAttribute('aria-label')).toBe('Open chat with Ada');
    expect(f.doc.querySelector<HTMLElement>('.kv')!.style.getPropertyValue('--accent')).toBe('#0b7285');
    expect(b.querySelector('svg')!.getAttribute('aria-hidden')).toBe('true');
    expect(f.ui.panel()!.hidden).toBe(true);
  });

  it('falls back to the default accent for a bad colour', () => {
    expect(accentColor('red;background:url(x)')).toBe('#4f46e5');
    expect(accentColor('#ABC')).toBe('#ABC');
  });

  it('paints text-bearing surfaces in a shade its ink reaches 4.5:1 on, and rings a launcher pale on white', async () => {
    const root = async (accent_color: string) => (await ready({ agent: { ...AGENT, accent_color } })).doc.querySelector<HTMLElement>('.kv')!;
    const mid = await root('#3b82f6');
    expect([mid.style.getPropertyValue('--surface'), mid.style.getPropertyValue('--ink')]).toEqual(['#3b82f6', '#111111']);
    expect(mid.classList.contains('kv-ring')).toBe(false);
    const amber = await root('#f59e0b');
    expect(amber.classList.contains('kv-ring')).toBe(true);
  });

  it('is the close button, in the same place, while the panel is open', async () => {
    const f = await ready();
    const b = f.ui.launcher()!;
    expect([b.getAttribute('aria-expanded'), b.getAttribute('aria-controls')]).toEqual(['false', f.ui.panel()!.id]);
    b.click();
    expect([b.hidden, b.getAttribute('aria-expanded'), b.getAttribute('aria-label')]).toEqual([false, 'true', 'Close chat']);
    b.click();
    expect(f.ui.panel()!.hidden).toBe(true);
    expect([b.getAttribute('aria-expanded'), b.getAttribute('aria-label')]).toEqual(['false', 'Open chat with Ada']);
    expect(f.doc.activeElement).toBe(b);
  });

  it('follows the theme the agent asks for', async () => {
    const dark = await ready({ agent: { ...AGENT, theme: 'dark' } });
    expect(dark.doc.querySelector('.kv')!.classList.contains('kv-dark')).toBe(true);
    const light = await ready({ agent: { ...AGENT, theme: 'light' } });
    expect(light.doc.querySelector('.kv')!.classList.contains('kv-dark')).toBe(false);
  });

  it('draws itself on the side the loader put it', async () => {
    const f = await ready({ side: 'left' });
    expect(f.doc.querySelector('.kv')!.classList.contains('kv-left')).toBe(true);
  });

  it('speaks the language table it was given', async () => {
    const f = await ready({}, { t: DE });
    expect(f.ui.launcher()!.getAttribute('aria-label')).toBe('Chat mit Ada öffnen');
    expect(f.ui.sendButton()!.textContent).toBe('Senden');
    expect(f.ui.input()!.placeholder).toBe('Nachricht schreiben…');
  });
});

describe('open and close', () => {
  it('opens on an open given before the session (data-open) right after ready, focus left alone', async () => {
    const f = await ready({ open: true });
    await waitFor(() => expect(f.got).toEqual([READY, state(true)]));
    expect(f.ui.panel()!.hidden).toBe(false);
    expect(f.doc.activeElement).not.toBe(f.ui.input());
  });

  it('folds the commands given before ready into one open, or none', async () => {
    for (const [names, opened] of [
      [['open', 'close', 'toggle'], true],
      [['open', 'open', 'toggle'], false],
      [['toggle', 'toggle'], false],
      [['close', 'context', 'toggle'], true],
    ] as const) {
      const f = mountFrame();
      // Given before the handshake answered: on the port before the session, as the loader sends them.
      f.init({ before: names.map((name) => cmd(name, name == 'context' ? { a: 1 } : undefined)) });
      await f.handled();
      // Not one by one on the launcher: one wish, applied after ready.
      expect([names, f.got]).toEqual([names, opened ? [READY, state(true)] : [READY]]);
      expect(f.doc.activeElement).not.toBe(f.ui.input());
    }
  });

  it('never opens by itself on a narrow viewport, where it would cover the page', async () => {
    const f = await ready({ open: true, narrow: true });
    await f.handled();
    expect(f.got).toEqual([READY]);
    expect(f.ui.panel()!.hidden).toBe(true);
    // A command after ready is the page's, not automatic: it opens.
    f.command(cmd('open'));
    await waitFor(() => expect(f.got).toEqual([READY, state(true)]));
  });

  it('toggles from its own state', async () => {
    const f = await ready();
    f.command(cmd('toggle'));
    await waitFor(() => expect(f.got).toEqual([READY, state(true)]));
    f.command(cmd('toggle'));
    await waitFor(() => expect(f.got).toEqual([READY, state(true), state(false)]));
    f.ui.launcher()!.click();
    f.command(cmd('toggle'));
    await waitFor(() => expect(f.got).toEqual([READY, state(true), state(false), state(true), state(false)]));
  });

  it('takes the session and the folded open from the init of a loader of an earlier build', async () => {
    const f = mountFrame();
    f.legacyInit(true);
    await waitFor(() => expect(f.got).toEqual([READY, state(true)]));
    expect(f.ui.launcher()!.getAttribute('aria-label')).toBe('Close chat');
  });

  it('opens on command, reports state, focuses the composer', async () => {
    const f = await ready();
    f.command(cmd('open'));
    await waitFor(() => expect(f.got).toEqual([READY, state(true)]));
    expect(f.ui.panel()!.hidden).toBe(false);
    expect(f.ui.launcher()!.getAttribute('aria-expanded')).toBe('true');
    expect(f.doc.activeElement).toBe(f.ui.input());
  });

  it('closes on command and reports state', async () => {
    const f = await ready({ open: true });
    f.command(cmd('close'));
    await waitFor(() => expect(f.got).toEqual([READY, state(true), state(false)]));
    expect(f.ui.panel()!.hidden).toBe(true);
    expect(f.ui.launcher()!.getAttribute('aria-expanded')).toBe('false');
  });

  it('sends no state for a command that changes nothing', async () => {
    const f = await ready();
    f.command(cmd('close'));
    f.command(cmd('open'));
    f.command(cmd('open'));
    await waitFor(() => expect(f.got).toContainEqual(state(true)));
    await f.handled();
    expect(f.got).toEqual([READY, state(true)]);
  });

  it('ignores other messages on the port', async () => {
    const f = await ready();
    for (const m of [
      { ...cmd('open'), v: 2 }, { type: 'command', name: 'open' },
      // The shapes of an earlier loader build.
      { v: 1, type: 'open' }, { v: 1, type: 'toggle' }, { v: 1, type: 'init', open: true },
      'open', null,
    ]) f.command(m);
    await f.handled();
    expect(f.got).toEqual([READY]);
    expect(f.ui.panel()!.hidden).toBe(true);
    expect(f.warnings).toEqual([]);
  });

  it('warns in the console about each command name it does not know, and goes on', async () => {
    const f = await ready();
    for (const name of ['opened', 'toString', 'hasOwnProperty', 'bogus']) f.command(cmd(name, { a: 1 }));
    f.command(cmd('open'));
    await waitFor(() => expect(f.got).toEqual([READY, state(true)]));
    expect(f.warnings).toEqual(['opened', 'toString', 'hasOwnProperty', 'bogus'].map((n) => `[kataven] ignored Kataven(${n})`));
  });

  it('warns about unknown commands given before the session too, once it runs', async () => {
    const f = mountFrame();
    f.init({ before: [cmd('bogus') as never] });
    await waitFor(() => expect(f.got).toEqual([READY]));
    await f.handled();
    expect(f.warnings).toEqual(['[kataven] ignored Kataven(bogus)']);
  });

  it('opens on a launcher click and closes on the close button', async () => {
    const f = await ready();
    f.ui.launcher()!.click();
    expect(f.ui.panel()!.hidden).toBe(false);
    expect(f.doc.activeElement).toBe(f.ui.input());
    f.ui.closeButton()!.click();
    expect(f.ui.panel()!.hidden).toBe(true);
    expect(f.doc.activeElement).toBe(f.ui.launcher());
    await waitFor(() => expect(f.got).toEqual([READY, state(true), state(false)]));
  });

  it('closes on Escape and returns focus to the launcher', async () => {
    const f = await ready();
    f.ui.launcher()!.click();
    f.key('Escape', f.ui.input()!);
    expect(f.ui.panel()!.hidden).toBe(true);
    expect(f.doc.activeElement).toBe(f.ui.launcher());
    await waitFor(() => expect(f.got).toEqual([READY, state(true), state(false)]));
  });

  it('ignores Escape while closed', async () => {
    const f = await ready();
    f.key('Escape', f.doc);
    await f.idle();
    expect(f.got).toEqual([READY]);
  });

  it('labels the close button, composer and log', async () => {
    const f = await ready();
    expect(f.ui.closeButton()!.getAttribute('aria-label')).toBe('Close chat');
    expect(f.doc.querySelector('label[for="kv-input"]')!.textContent).toBe('Message Ada');
    // Not live: streamed text would be read out piece by piece; the polite region says each message once.
    expect(f.ui.log()!.getAttribute('aria-live')).toBe('off');
    expect(f.ui.live()!.getAttribute('aria-live')).toBe('polite');
    expect(f.ui.panel()!.contains(f.ui.live())).toBe(false);
    expect(f.ui.sendButton()!.type).toBe('submit');
    expect(f.ui.panel()!.getAttribute('aria-labelledby')).toBe('kv-title');
    // Scrollable, so it must take focus for keyboard scrolling (axe scrollable-region-focusable).
    expect([f.ui.log()!.tabIndex, f.ui.log()!.getAttribute('aria-label')]).toEqual([0, 'Conversation']);
  });
});

describe('test keys', () => {
  it('tag the header "Test", inside the dialog\'s name, on a test key\'s session', async () => {
    const f = await ready({ mode: 'test' });
    const title = f.doc.getElementById('kv-title')!;
    expect(title.querySelector('.kv-test')!.textContent).toBe('Test');
    expect(title.textContent).toBe('Ada Test');
  });

  it.each([['live'], [undefined]])('leave the header alone on a %s session', async (mode) => {
    const f = await ready(mode ? { mode } : {});
    expect(f.doc.querySelector('.kv-test')).toBeNull();
    expect(f.doc.getElementById('kv-title')!.textContent).toBe('Ada');
  });
});

describe('text, never HTML', () => {
  const evil = '<img src=x onerror=alert(1)>';

  it('renders the agent name and greeting as text', async () => {
    const f = await ready({ agent: { ...AGENT, name: evil, greeting: evil + ' hi' } });
    expect(f.doc.querySelector('img')).toBeNull();
    expect(f.doc.querySelector('h1')).toBeNull();
    expect(f.doc.querySelector('h2')!.textContent).toBe(evil);
    expect(f.ui.bubbles()).toEqual(['agent: ' + evil + ' hi']);
    expect(f.ui.launcher()!.getAttribute('aria-label')).toBe('Open chat with ' + evil);
  });

  it('renders messages as text', async () => {
    const { fetch } = fakeFetch({
      'GET /api/v1/widget/conversations/c1/messages': () => json(200, { data: [msg('visitor', evil), msg('agent', '<b>bold</b>')] }),
      'POST /api/v1/widget/conversations/c1/messages': (b) => {
        events.send('message.completed', '3', { message: msg('agent', '<script>x()</script>', 'a2') });
        return json(202, { message: msg('visitor', b.text, 'v2') });
      },
      'GET /api/v1/widget/conversations/c1/events': (_b, _c, init) => events.response(init.signal),
    });
    const events = sseStream();
    const win = { storage: () => ({ getItem: () => 'c1', setItem() {}, removeItem() {} }) as unknown as Storage };
    const f = await ready({}, { fetch, ...win });
    f.type(evil);
    f.submit();
    await waitFor(() => expect(f.ui.bubbles()).toHaveLength(5));
    expect(f.ui.bubbles()).toEqual(['agent: ' + AGENT.greeting, 'you: ' + evil, 'agent: <b>bold</b>', 'you: ' + evil, 'agent: <script>x()</script>']);
    expect(f.doc.querySelectorAll('img, b, script')).toHaveLength(0);
  });
});

describe('composer', () => {
  const slow = () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const ff = fakeFetch({
      'POST /api/v1/widget/conversations': () => json(201, { id: 'c1', created_at: '' }),
      'POST /api/v1/widget/conversations/c1/messages': async (b) => (await gate, json(202, { message: msg('visitor', b.text) })),
      'GET /api/v1/widget/conversations/c1/events': (_b, _c, init) => (replies = sseStream()).response(init.signal),
    });
    let replies: ReturnType<typeof sseStream> | undefined;
    return { ...ff, release, reply: (text: string) => replies!.send('message.completed', '9', { message: msg('agent', text) }) };
  };

  it('sends on Enter', async () => {
    const s = slow();
    const f = await ready({ open: true }, { fetch: s.fetch });
    f.type('hello');
    f.key('Enter', f.ui.input()!);
    await waitFor(() => expect(s.calls.map((c) => c.path)).toContain('/api/v1/widget/conversations/c1/messages'));
  });

  it('keeps Shift+Enter for a newline', async () => {
    const s = slow();
    const f = await ready({ open: true }, { fetch: s.fetch });
    f.type('hello');
    const notCancelled = f.key('Enter', f.ui.input()!, { shiftKey: true });
    expect(notCancelled).toBe(true);
    await f.idle();
    expect(s.calls).toEqual([]);
  });

  it('stays usable while a message is on its way', async () => {
    const s = slow();
    const f = await ready({ open: true }, { fetch: s.fetch });
    f.ui.input()!.focus();
    f.type('hello');
    f.submit();
    await waitFor(() => expect(s.calls.filter((c) => c.method == 'POST')).toHaveLength(2));
    expect(f.ui.input()!.disabled).toBe(false);
    expect(f.ui.sendButton()!.disabled).toBe(false);
    expect(f.ui.input()!.value).toBe('');
    expect(f.doc.activeElement).toBe(f.ui.input());
    // The second waits for the first (the hub keeps arrival order), then goes.
    f.type('and another');
    f.submit();
    s.release();
    await waitFor(() => expect(s.calls.filter((c) => c.method == 'POST').map((c) => c.body)).toEqual([{}, { text: 'hello', client_message_id: 'cm_1' }, { text: 'and another', client_message_id: 'cm_2' }]));
  });

  it('shows the visitor message before the reply comes', async () => {
    const s = slow();
    const f = await ready({ open: true }, { fetch: s.fetch });
    f.type('  hello  ');
    f.submit();
    await waitFor(() => expect(f.ui.bubbles()).toEqual(['agent: ' + AGENT.greeting, 'you: hello']));
    s.release();
    // Posted: the agent's turn is coming, and the typing dots say so until its reply starts.
    await waitFor(() => expect(f.doc.querySelector('.kv-typing:not([hidden])')).not.toBeNull());
    s.reply('ok');
    await waitFor(() => expect(f.ui.bubbles()).toEqual(['agent: ' + AGENT.greeting, 'you: hello', 'agent: ok']));
    expect(f.ui.status()!.hidden).toBe(true);
    expect(f.win.localStorage.getItem(STORE_KEY)).toBe('c1');
  });
});
