import { afterEach, describe, expect, it, vi } from 'vitest';
import { awaitInit, connect, pageOrigin } from '../../src/frame/handover.js';
import { AGENT, cleanup, mountFrame, PAGE, waitFor } from './fixture.js';

afterEach(cleanup);

describe('pageOrigin', () => {
  it('reads o from the query', () => {
    expect(pageOrigin('?k=wk_1&o=' + encodeURIComponent(PAGE))).toBe(PAGE);
    expect(pageOrigin('?o=http://localhost:3000')).toBe('http://localhost:3000');
  });
  it.each([['?k=wk_1'], ['?o='], ['?o=null'], ['?o=*'], ['?o=https://shop.test/'], ['?o=https://shop.test/x'], ['?o=javascript:alert(1)'], ['?o=data:text/html,x']])(
    'refuses %s',
    (search) => expect(pageOrigin(search)).toBeNull(),
  );
});

describe('awaitInit', () => {
  const setup = () => {
    const target = new EventTarget();
    const parent = { postMessage: vi.fn() };
    const onInit = vi.fn();
    awaitInit(target as unknown as Window, parent as unknown as Window, PAGE, onInit);
    const deliver = (data: unknown, from: { source?: unknown; origin?: string; ports?: unknown[] } = {}) => {
      const e = new MessageEvent('message', { data, origin: from.origin ?? PAGE });
      // Node's MessageEvent takes no foreign source or fake ports: define them as the browser would set them.
      Object.defineProperty(e, 'source', { value: 'source' in from ? from.source : parent });
      Object.defineProperty(e, 'ports', { value: from.ports ?? [port] });
      target.dispatchEvent(e);
    };
    return { parent, onInit, deliver };
  };
  const port = { postMessage() {}, addEventListener() {}, start() {} };
  const good = { v: 1, type: 'init' };
  const legacy = { v: 1, type: 'init', session_token: 't', expires_at: '2030-01-01T00:00:00Z', agent: AGENT, open: true };

  it('posts hello to the parent with the exact page origin', () => {
    const { parent } = setup();
    expect(parent.postMessage).toHaveBeenCalledTimes(1);
    expect(parent.postMessage).toHaveBeenCalledWith({ v: 1, type: 'hello' }, PAGE);
  });

  it('accepts init from the parent, page origin, with a port', () => {
    const { onInit, deliver } = setup();
    deliver(good);
    expect(onInit).toHaveBeenCalledWith(port, undefined);
  });

  it('takes the session from the init of a loader of an earlier build', () => {
    const { onInit, deliver } = setup();
    deliver(legacy);
    expect(onInit).toHaveBeenCalledWith(port, legacy);
  });

  it.each([
    ['no token', { ...legacy, session_token: undefined }],
    ['no agent', { ...legacy, agent: null }],
    ['agent name not text', { ...legacy, agent: { ...AGENT, name: 42 } }],
  ])('takes an init with a broken session (%s) as a plain one', (_, data) => {
    const { onInit, deliver } = setup();
    deliver(data);
    expect(onInit).toHaveBeenCalledWith(port, undefined);
  });

  it.each([
    ['another window', good, { source: {} }],
    ['no source', good, { source: null }],
    ['another origin', good, { origin: 'https://evil.test' }],
    ['http instead of https', good, { origin: 'http://shop.test' }],
    ['no port', good, { ports: [] }],
    ['v 2', { ...good, v: 2 }, {}],
    ['type hello', { ...good, type: 'hello' }, {}],
    ['type session', { ...legacy, type: 'session' }, {}],
    ['another window, with a session', legacy, { source: {} }],
    ['a string', 'init', {}],
    ['null', null, {}],
  ])('ignores init from %s', (_, data, from) => {
    const { onInit, deliver } = setup();
    deliver(data, from);
    expect(onInit).not.toHaveBeenCalled();
  });

  it('accepts init once', () => {
    const { onInit, deliver } = setup();
    deliver(good);
    deliver(legacy);
    expect(onInit).toHaveBeenCalledTimes(1);
  });

  it('survives a parent whose postMessage throws', () => {
    const parent = { postMessage: vi.fn(() => { throw new Error('detached'); }) };
    expect(() => awaitInit(new EventTarget() as unknown as Window, parent as unknown as Window, PAGE, () => {})).not.toThrow();
  });
});

describe('connect', () => {
  const session = { v: 1, type: 'session', session_token: 't', expires_at: '2030-01-01T00:00:00Z', agent: AGENT, narrow: false };
  const setup = () => {
    const port = new EventTarget() as EventTarget & { postMessage(): void; start(): void };
    port.postMessage = () => {};
    port.start = vi.fn();
    const on = { onSession: vi.fn(), onCommand: vi.fn(), onContext: vi.fn(), onIdentity: vi.fn(), onUnknown: vi.fn() };
    connect(port as unknown as MessagePort, on);
    const deliver = (...messages: unknown[]) => {
      for (const data of messages) port.dispatchEvent(new MessageEvent('message', { data }));
    };
    return { port, on, deliver };
  };

  it('starts the port at once: what the page posted before the handover waits in its queue', () => {
    expect(setup().port.start).toHaveBeenCalledTimes(1);
  });

  it('passes a well-formed session, ignores broken ones', () => {
    const { on, deliver } = setup();
    deliver(
      { ...session, session_token: undefined },
      { ...session, agent: null },
      { ...session, agent: { ...AGENT, accent_color: 1 } },
      { ...session, expires_at: 0 },
      { ...session, v: 2 },
      session,
    );
    expect(on.onSession.mock.calls).toEqual([[session]]);
  });

  it('passes open, close, toggle, context, identify and logout commands, names the unknown ones, ignores the rest', () => {
    const { on, deliver } = setup();
    const cmd = (name: unknown, arg?: unknown, v = 1) => ({ v, type: 'command', name, arg });
    deliver(
      cmd('open'), cmd('close', undefined, 2), cmd('toggle'), { type: 'command', name: 'close' }, null, 'open',
      // The shapes of an earlier loader build, and names this frame does not know.
      { v: 1, type: 'open' }, { v: 1, type: 'close' }, { v: 1, type: 'context', context: { a: 0 } },
      cmd('identfy', 'token'), cmd('toString'), cmd(undefined),
      cmd('context', { a: 0 }, 2), cmd('context', { cart: 2 }), cmd('close'),
      cmd('identify', 'eyJ.token'), cmd('logout'), cmd('identify', 'eyJ.next', 2),
    );
    expect(on.onCommand.mock.calls).toEqual([['open'], ['toggle'], ['close']]);
    expect(on.onContext.mock.calls).toEqual([[{ cart: 2 }]]);
    expect(on.onIdentity.mock.calls).toEqual([['eyJ.token', false], [undefined, true]]);
    expect(on.onUnknown.mock.calls).toEqual([['identfy'], ['toString'], [undefined]]);
    expect(on.onSession).not.toHaveBeenCalled();
  });
});

describe('the frame', () => {
  it('stays blank without a valid o', async () => {
    const f = mountFrame({ search: '?k=wk_1&o=' + encodeURIComponent('https://shop.test/page') });
    expect(f.parent.postMessage).not.toHaveBeenCalled();
    f.init();
    await f.idle();
    expect(f.doc.body.children.length).toBe(0);
  });

  it('draws nothing for a look-alike init from another window', async () => {
    const f = mountFrame();
    f.init({}, { source: {} });
    f.init({}, { origin: 'https://evil.test' });
    expect(f.ui.launcher()).toBeNull();
    await f.idle();
    expect(f.got).toEqual([]);
  });

  it('says ready once the launcher is in the document, without waiting for an animation frame', async () => {
    // Chromium runs no animation frames in the hidden cross-origin frame: held here, they never run.
    const f = mountFrame({ holdFrames: true });
    let launcherAtReady: unknown;
    f.init().port1.addEventListener('message', () => (launcherAtReady ??= f.ui.launcher()));
    await f.idle();
    expect(f.got).toEqual([{ v: 1, type: 'ready' }]);
    expect(launcherAtReady).toBe(f.ui.launcher());
    expect(f.ui.launcher()!.isConnected).toBe(true);
  });
});
