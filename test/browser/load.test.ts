/**
 * `loadKataven` on a page (src/browser/load.ts), with the real loader (src/loader/boot.ts) run on the tag
 * it adds, as a browser would run it. happy-dom gives the DOM; its script loading is off, so a test runs
 * the loader itself (or, for the failures, lets happy-dom report the script as failed). The hub behind
 * `fetch` is the edge of the world: it refuses the page, or never answers. Resolution on `ready` needs a
 * real frame and is covered in Chromium (test/e2e/browser-entry.test.ts).
 */
import { Window } from 'happy-dom';
import { afterEach, describe, expect, it } from 'vitest';
import { load, type PageWindow } from '../../src/browser/load.js';
import type { LoadKatavenOptions } from '../../src/browser/options.js';
import { boot, type LoaderWindow } from '../../src/loader/boot.js';
import type { KatavenError } from '../../src/protocol/browser-api.js';
import { installVisualViewport } from '../loader/harness.js';

const HUB = 'https://hub.example';
const KEY = 'pk_live_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9';
const OPTIONS: LoadKatavenOptions = { hubUrl: HUB, clientKey: KEY };
const REFUSAL: KatavenError = { type: 'origin_not_allowed', message: 'Origin https://shop.example is not in the domain allowlist of key …M3n4O5p6' };

interface Page {
  win: PageWindow & LoaderWindow;
  warnings: string[];
  tags(): HTMLScriptElement[];
  /** The page's own loader tag, as pasted in its HTML. */
  siteTag(): HTMLScriptElement;
  /** Runs the loader with `tag` as document.currentScript. */
  run(tag: HTMLScriptElement): void;
}

let win: Window | undefined;
afterEach(async () => {
  await win?.happyDOM.close();
  win = undefined;
});

/** `hub`: what the handshake gets. `scripts: 'fail'`: every script tag fires `error`, as a 404 or a CSP block does. */
function page(hub: 'refuses' | 'silent' = 'refuses', scripts: 'load' | 'fail' = 'load'): Page {
  win = new Window({
    url: 'https://shop.example/',
    settings: { disableIframePageLoading: true, disableJavaScriptFileLoading: true, handleDisabledFileLoadingAsSuccess: scripts === 'load' },
  });
  const w = win as unknown as PageWindow & LoaderWindow;
  const warnings: string[] = [];
  (w.console as { warn: (...a: unknown[]) => void }).warn = (...a) => warnings.push(a.join(' '));
  (w as { MessageChannel: unknown }).MessageChannel = MessageChannel;
  installVisualViewport(win);
  w.fetch = (() =>
    hub === 'refuses'
      ? Promise.resolve(new Response(JSON.stringify({ error: REFUSAL }), { status: 403, headers: { 'content-type': 'application/json' } }))
      : new Promise<Response>(() => {})) as typeof fetch;
  const doc = w.document;
  return {
    win: w,
    warnings,
    tags: () => [...doc.querySelectorAll<HTMLScriptElement>('script')],
    siteTag() {
      const s = doc.createElement('script');
      s.src = HUB + '/widget/v1/loader.js';
      s.dataset.clientKey = KEY;
      doc.body.appendChild(s);
      return s;
    },
    run: (tag) => boot(tag, w),
  };
}

describe('loadKataven', () => {
  it('adds one loader tag however often it is called, and returns the same promise', () => {
    const p = page();
    const first = load(p.win, OPTIONS);
    expect(load(p.win, OPTIONS)).toBe(first);
    expect(load(p.win, { ...OPTIONS, open: true })).toBe(first);
    expect(p.tags()).toHaveLength(1);
    first.catch(() => {});
  });

  it('writes the options onto the tag as the loader reads them', () => {
    const p = page();
    load(p.win, { src: HUB + '/widget/v1/loader/0123456789abcdef.js', clientKey: KEY, position: 'left', open: true, nonce: 'n0nce', integrity: 'sha384-abc' }).catch(() => {});
    const tag = p.tags()[0]!;
    expect(tag.src).toBe(HUB + '/widget/v1/loader/0123456789abcdef.js');
    expect({ ...tag.dataset }).toEqual({ clientKey: KEY, position: 'left', open: 'true' });
    expect(tag.async).toBe(true);
    expect(tag.getAttribute('nonce')).toBe('n0nce');
    expect(tag.getAttribute('integrity')).toBe('sha384-abc');
    expect(tag.getAttribute('crossorigin')).toBe('anonymous');
  });

  it('takes the evergreen loader of hubUrl, and sets only the attributes asked for', () => {
    const p = page();
    load(p.win, { hubUrl: HUB + '/', clientKey: KEY }).catch(() => {});
    const tag = p.tags()[0]!;
    expect(tag.src).toBe(HUB + '/widget/v1/loader.js');
    expect([...tag.attributes].map((a) => a.name).sort()).toEqual(['async', 'data-client-key', 'src']);
  });

  it('installs the queue stub first, so the page can call Kataven before the loader runs', async () => {
    const p = page();
    const loading = load(p.win, OPTIONS);
    const seen: unknown[] = [];
    p.win.Kataven!('on', 'error', (e: unknown) => seen.push(e));
    p.run(p.tags()[0]!);
    await expect(loading).rejects.toEqual(REFUSAL);
    await expect.poll(() => seen).toEqual([REFUSAL]);
  });

  it('rejects with the error event of the loader when the hub refuses the page, and adds nothing more', async () => {
    const p = page();
    const loading = load(p.win, OPTIONS);
    p.run(p.tags()[0]!);
    await expect(loading).rejects.toEqual(REFUSAL);
    expect(load(p.win, OPTIONS)).toBe(loading);
    expect(p.tags()).toHaveLength(1);
    // The loader's one warning, nothing of the helper's.
    expect(p.warnings).toEqual([`[kataven] widget not shown: ${REFUSAL.message} (origin_not_allowed)`]);
  });

  it("waits for the site's own tag instead of adding a second one", async () => {
    const p = page();
    const site = p.siteTag();
    const loading = load(p.win, OPTIONS);
    expect(p.tags()).toEqual([site]);
    p.run(site);
    await expect(loading).rejects.toEqual(REFUSAL);
    expect(p.warnings).toHaveLength(1);
  });

  it("resolves at once with the API when the site's loader has run already", async () => {
    const p = page('silent');
    p.run(p.siteTag());
    const api = p.win.Kataven;
    await expect(load(p.win, OPTIONS)).resolves.toBe(api);
    expect(p.tags()).toHaveLength(1);
    expect(p.warnings).toEqual([]);
  });

  it('rejects with network_error when the loader cannot be loaded, warns once, and tries again on the next call', async () => {
    const p = page('refuses', 'fail');
    const first = load(p.win, OPTIONS);
    await expect(first).rejects.toEqual({ type: 'network_error', message: expect.stringContaining(`could not load ${HUB}/widget/v1/loader.js`) });
    expect(p.tags()).toEqual([]);
    expect(p.warnings).toEqual([expect.stringMatching(/^\[kataven\] widget not shown: could not load .* \(network_error\)$/)]);
    const second = load(p.win, OPTIONS);
    expect(second).not.toBe(first);
    await expect(second).rejects.toMatchObject({ type: 'network_error' });
    expect(p.warnings).toHaveLength(2);
  });

  it.each([
    [{}, /clientKey is required/],
    [{ clientKey: '' , hubUrl: HUB }, /clientKey is required/],
    [{ clientKey: KEY }, /hubUrl or src is required; pass the hub's origin \(hubUrl: 'https:\/\/hub.example.com'\)/],
    [{ clientKey: KEY, hubUrl: 'hub.example' }, /hubUrl "hub.example" is not a URL/],
    [{ clientKey: KEY, hubUrl: HUB, src: HUB + '/widget/v1/loader.js' }, /pass hubUrl or src, not both/],
  ])('refuses %j with a TypeError that says what to pass, and leaves the page alone', async (options, message) => {
    const p = page();
    const loading = load(p.win, options as LoadKatavenOptions);
    await expect(loading).rejects.toThrow(TypeError);
    await expect(loading).rejects.toThrow(message);
    expect(p.win.Kataven).toBeUndefined();
    expect(p.tags()).toEqual([]);
  });
});
