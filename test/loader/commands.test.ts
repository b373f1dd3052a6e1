/**
 * The loader's command handling and handover at their edges (issue 17, the mutation run), against the
 * TypeScript source in a happy-dom page.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { boot, type LoaderWindow } from '../../src/loader/boot.js';
import { FULL_SCREEN_BELOW, PANEL_WIDTH } from '../../src/protocol/geometry.js';
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
