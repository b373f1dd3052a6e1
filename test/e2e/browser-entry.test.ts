/**
 * `kataven/browser` in Chromium: the shipped dist/browser.js, served by the allowed demo site as
 * /kataven-browser.js and imported by the pages below (through an import map where the page's code is
 * written as a bundler would see it: `from 'kataven/browser'`). The recipes of docs/integrations.md that
 * can run without a framework run here as written in that file.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectWidgetWithoutViolation, startWorld, watchedPage, widgetFrame, type World } from './harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const IMPORT_MAP = '<script type="importmap" nonce="{{NONCE}}">{"imports": {"kataven/browser": "/kataven-browser.js"}}</script>';

/** The first code block of `lang` under the heading `heading` of docs/integrations.md. */
function recipe(heading: string, lang: string): string {
  const section = readFileSync(`${ROOT}/docs/integrations.md`, 'utf8').split(`\n## ${heading}\n`)[1];
  const block = section?.split('\n## ')[0]!.match(new RegExp('```' + lang + '\\n([\\s\\S]*?)```'));
  if (!block) throw new Error(`docs/integrations.md has no ${lang} block under "## ${heading}"`);
  // The placeholders of the docs; the demo site fills in {{HUB}} and {{KEY}} on every .html it serves.
  return block[1]!.replaceAll('https://hub.example.com', '{{HUB}}').replaceAll('pk_live_…', '{{KEY}}');
}

/** A single-page app: its router renders each view and calls loadKataven, as a layout effect would. */
const SPA = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SPA with kataven/browser</title></head>
<body><h1 id="view"></h1>
<script type="module">
  import { loadKataven } from '/kataven-browser.js';
  window.loads = [];
  function render(view) {
    document.getElementById('view').textContent = view;
    window.loads.push(loadKataven({ hubUrl: '{{HUB}}', clientKey: '{{KEY}}' }));
  }
  window.go = (view) => {
    history.pushState({ view }, '', '/spa-helper.html?view=' + view);
    render(view);
  };
  addEventListener('popstate', (e) => render(e.state ? e.state.view : 'home'));
  render('home');
</script></body></html>`;

/** A page under `policy` (a meta CSP, enforced like the header for script-src, connect-src and frame-src) running `module`. */
const cspPage = (policy: string, module: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${policy}; connect-src {{HUB}}; frame-src {{HUB}}; style-src 'self'">
<title>strict CSP with kataven/browser</title>${IMPORT_MAP}</head>
<body><p>strict CSP</p><script type="module" nonce="{{NONCE}}">${module}</script></body></html>`;

describe('kataven/browser in Chromium', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
    world.pages.set('/kataven-browser.js', readFileSync(`${ROOT}/dist/browser.js`, 'utf8'));
    world.pages.set('/spa-helper.html', SPA);
  }, 60_000);
  afterAll(() => world?.close());

  const panelHeight = async (w: Awaited<ReturnType<typeof widgetFrame>>) => (await w.iframe.boundingBox())!.height;

  it('adds one tag and one iframe across pushState routes, and resolves with an API that opens and closes the panel', async () => {
    const { page, warnings, pageErrors, requests } = await watchedPage(world.browser);
    await page.goto(world.allowed.url + '/spa-helper.html');
    const widget = await widgetFrame(page, world.hub.url);
    await page.evaluate(() => {
      const w = window as unknown as { go: (v: string) => void };
      w.go('tents');
      w.go('packs');
      history.back();
    });
    await expect.poll(() => page.evaluate(() => (window as unknown as { loads: unknown[] }).loads.length)).toBe(4);
    expect(page.url()).toContain('?view=tents');
    expect(await page.evaluate(() => {
      const { loads } = window as unknown as { loads: Promise<unknown>[] };
      return loads.every((p) => p === loads[0]);
    })).toBe(true);
    expect(await page.locator('script[data-client-key]').count()).toBe(1);
    expect(await page.locator('iframe').count()).toBe(1);
    expect(requests.filter((r) => r.endsWith('/widget/v1/loader.js'))).toHaveLength(1);

    const call = (command: string) =>
      page.evaluate(async (c) => ((await (window as unknown as { loads: Promise<(c: string) => void>[] }).loads[0]!) as (c: string) => void)(c), command);
    await call('open');
    await expect.poll(() => panelHeight(widget)).toBeGreaterThan(300);
    await call('close');
    await expect.poll(() => panelHeight(widget)).toBeLessThan(120);
    expect(warnings).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it('mounts a fresh widget when called again after destroy', async () => {
    const { page, warnings, pageErrors } = await watchedPage(world.browser);
    await page.goto(world.allowed.url + '/spa-helper.html');
    await page.evaluate(async () => {
      const api = await (window as unknown as { loads: Promise<(c: string) => void>[] }).loads[0]!;
      api('destroy');
    });
    await expect.poll(() => page.locator('iframe').count()).toBe(0);
    const fresh = await page.evaluate(async () => {
      const w = window as unknown as { go: (v: string) => void; loads: Promise<(c: string) => void>[] };
      w.go('tents');
      const api = await w.loads[1]!;
      api('open');
      return w.loads[1] !== w.loads[0] && api === (window as unknown as { Kataven: unknown }).Kataven;
    });
    expect(fresh).toBe(true);
    const widget = await widgetFrame(page, world.hub.url);
    await expect.poll(() => panelHeight(widget)).toBeGreaterThan(300);
    expect(await page.locator('iframe').count()).toBe(1);
    expect(await page.locator('script[data-client-key]').count()).toBe(1);
    expect(warnings).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it("runs the docs' plain-HTML recipe", async () => {
    const { page, warnings } = await watchedPage(world.browser);
    world.pages.set('/recipe-plain.html', `<!doctype html><html lang="en"><head><title>plain</title></head><body><p>plain</p>${recipe('Plain HTML', 'html')}</body></html>`);
    await page.goto(world.allowed.url + '/recipe-plain.html');
    await widgetFrame(page, world.hub.url);
    expect(warnings).toEqual([]);
    await page.context().close();
  });

  it("runs the docs' strict-CSP recipe under script-src 'nonce-…' alone, with no CSP violation", async () => {
    world.pages.set('/recipe-csp.html', cspPage("script-src 'nonce-{{NONCE}}'", recipe('A strict-CSP site with nonces', 'js')));
    await expectWidgetWithoutViolation(world, world.allowed.url + '/recipe-csp.html');
  });

  it('rejects with network_error, warning once, when a nonce-only CSP blocks a loader added without the nonce', async () => {
    const { page, warnings, pageErrors } = await watchedPage(world.browser);
    world.pages.set('/csp-no-nonce.html', cspPage("script-src 'nonce-{{NONCE}}'", `
      import { loadKataven } from 'kataven/browser';
      window.outcome = loadKataven({ hubUrl: '{{HUB}}', clientKey: '{{KEY}}' }).then(() => 'resolved', (e) => e.type);`));
    await page.goto(world.allowed.url + '/csp-no-nonce.html');
    await expect.poll(() => page.evaluate(() => (window as unknown as { outcome?: Promise<string> }).outcome)).toBe('network_error');
    expect(warnings).toEqual([expect.stringMatching(/could not load .*\/widget\/v1\/loader\.js.*\(network_error\)$/)]);
    expect(await page.locator('iframe').count()).toBe(0);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it("runs the docs' Google Tag Manager snippet fired twice, as GTM inserts Custom HTML: one tag, one widget", async () => {
    const { page, warnings, pageErrors } = await watchedPage(world.browser);
    // GTM parses the Custom HTML and inserts each <script> as a new element carrying its text.
    const snippet = JSON.stringify(recipe('Google Tag Manager', 'html').replace(/^\s*<script>|<\/script>\s*$/g, ''));
    world.pages.set('/recipe-gtm.html', `<!doctype html><html lang="en"><head><title>GTM</title></head><body><p>GTM</p><script>
      const fire = () => { const s = document.createElement('script'); s.text = ${snippet}; document.body.appendChild(s); };
      fire();
      fire();
      Kataven('on', 'ready', () => { document.title = 'ready'; });
    </script></body></html>`);
    await page.goto(world.allowed.url + '/recipe-gtm.html');
    await widgetFrame(page, world.hub.url);
    await expect.poll(() => page.title()).toBe('ready');
    expect(await page.locator('script[data-client-key]').count()).toBe(1);
    expect(await page.locator('iframe').count()).toBe(1);
    expect(warnings).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });
});
