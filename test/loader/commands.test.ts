/**
 * The loader's command handling and handover at their edges (issue 17, the mutation run), against the
 * TypeScript source in a happy-dom page.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { boot, type LoaderWindow } from '../../src/loader/boot.js';
import { FULL_SCREEN_BELOW, LAUNCHER_BOX, PANEL_WIDTH } from '../../src/protocol/geometry.js';
import { KEY, SESSION, createPage, defineStub, json, type Page } from './harness.js';

let page: Page;
const open = (opts?: { width?: number }) => (page = createPage((p, script) => boot(script, p.win as unknown as LoaderWindow), opts));
const ours = () => page.warnings.filter((w) => w.startsWith('[kataven] '));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(async () => {
  await page?.close();
  vi.useRealTimers();
});

describe('loader commands', () => {
  it('passes commands that only look like on and off to the frame, and binds no handler', async () => {
    open();
    page.load(page.tag());
    const heard: string[] = [];
    for (const command of ['xon', 'only', 'offx', 'xoff']) page.call(command, 'ready', () => heard.push(command));
    await page.until(() => page.iframe().title.startsWith('Chat with'), 'the handshake');
    const frame = page.frame();
    frame.load();
    await page.until(() => frame.sessions().length === 1, 'the session');
    expect(frame.commands()).toEqual([['xon', 'ready'], ['only', 'ready'], ['offx', 'ready'], ['xoff', 'ready']]);
    await frame.send({ v: 1, type: 'ready' }, () => page.iframe().style.visibility !== 'hidden');
    await page.settle();
    expect(heard).toEqual([]);
    expect(ours()).toEqual([]);
  });

  it('mounts nothing and asks the hub nothing after a queued destroy', async () => {
    open();
    defineStub(page);
    page.call('destroy');
    page.load(page.tag());
    await page.settle();
    expect(page.iframes()).toHaveLength(0);
    expect(page.requests).toHaveLength(0);
    expect(page.warnings).toEqual([]);
  });

  it('hands the session over only once the frame has loaded', async () => {
    open();
    page.load(page.tag());
    const frame = page.frame();
    await page.until(() => page.iframe().title.startsWith('Chat with'), 'the handshake');
    await page.settle();
    expect(frame.posted).toEqual([]);
    frame.load();
    expect(frame.posted).toHaveLength(1);
  });

  it('never mounts on a failed status, whatever its body says', async () => {
    open();
    page.hub = async () => json(500, SESSION);
    page.load(page.tag());
    await page.settle();
    expect(page.iframes()).toHaveLength(0);
    expect(ours()).toEqual([`[kataven] widget not shown: HTTP 500 from https://hub.example (bad_response)`]);
  });

  it('resets a page rule on min-height', async () => {
    open();
    page.load(page.tag());
    expect(page.iframe().style.getPropertyValue('min-height')).toMatch(/^0(px)?$/);
  });
});

describe('the full-screen breakpoint', () => {
  it(`treats a viewport exactly ${FULL_SCREEN_BELOW} px wide as wide: the frame is told so, and opens a ${PANEL_WIDTH} px panel`, async () => {
    open({ width: FULL_SCREEN_BELOW });
    page.load(page.tag());
    await page.until(() => page.iframe().title.startsWith('Chat with'), 'the handshake');
    const frame = page.frame();
    frame.load();
    await page.until(() => frame.sessions().length === 1, 'the session');
    expect(frame.sessions()[0]!.narrow).toBe(false);
    await frame.send({ v: 1, type: 'state', open: true }, () => page.iframe().style.width !== LAUNCHER_BOX + 'px');
    expect(page.iframe().style.width).toBe(PANEL_WIDTH + 'px');
  });
});
