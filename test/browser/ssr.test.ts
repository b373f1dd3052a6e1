/**
 * `kataven/browser` under server-side rendering: Node, no `window`. Both the source and the shipped
 * dist/browser.js (what a server bundle imports) are imported and called while every page global a
 * browser would have is a trap that records its use.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KatavenApi } from '../../src/browser/index.js';

type Helper = { loadKataven: (o: { hubUrl: string; clientKey: string }) => Promise<KatavenApi> };

const PAGE_GLOBALS = ['document', 'Kataven', 'location', 'self', 'navigator', 'history'];
let touched: string[];
let saved: [string, PropertyDescriptor | undefined][];

beforeEach(() => {
  touched = [];
  saved = PAGE_GLOBALS.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)]);
  for (const name of PAGE_GLOBALS) {
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get: () => void touched.push(`read ${name}`),
      set: () => void touched.push(`wrote ${name}`),
    });
  }
});
afterEach(() => {
  for (const [name, descriptor] of saved) {
    if (descriptor) Object.defineProperty(globalThis, name, descriptor);
    else delete (globalThis as Record<string, unknown>)[name];
  }
});

describe.each([
  ['source', () => import('../../src/browser/index.js')],
  ['dist/browser.js', () => import('../../dist/browser.js' as string) as Promise<Helper>],
])('kataven/browser on the server (%s)', (_name, importHelper) => {
  it('imports and loads without touching a page global, and resolves with an API that does nothing', async () => {
    expect(typeof window).toBe('undefined');
    const { loadKataven } = await importHelper();
    const api = await loadKataven({ hubUrl: 'https://hub.example', clientKey: 'pk_live_x' });
    let called = false;
    expect(api('open')).toBeUndefined();
    expect(api('on', 'ready', () => (called = true))).toBeUndefined();
    api('destroy');
    await new Promise((r) => setTimeout(r, 0));
    expect(called).toBe(false);
    expect(touched).toEqual([]);
  });

  it('resolves the same way for options a browser would refuse', async () => {
    const { loadKataven } = await importHelper();
    await expect(loadKataven({} as { hubUrl: string; clientKey: string })).resolves.toBeTypeOf('function');
    expect(touched).toEqual([]);
  });
});
