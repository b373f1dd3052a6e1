/**
 * `npm run screenshots`: the pictures of docs/widget.md and of the console in the README, taken from the
 * real widget and console in Chromium so they never go stale. Runs `kataven demo` (the built CLI) on free
 * ports with a throwaway data directory, sets the demo agent's look through the Admin API before each
 * widget picture, then photographs the console's page of the key the refused demo site embeds, and writes
 * docs/img/*.png.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ARGS, chromiumPath } from '../bench/lib/chromium.mjs';
import { freePort, ROOT, spawnNode, waitForHttp } from '../bench/lib/proc.mjs';

const OUT = join(ROOT, 'docs', 'img');
const DESKTOP = { width: 1024, height: 768 };
const PHONE = { width: 375, height: 667 };

/** Each picture: the agent's look, the viewport, the browser's language, and whether a conversation is open. */
const SHOTS = [
  { file: 'desktop-closed.png', viewport: DESKTOP, look: {}, open: false },
  { file: 'desktop-open.png', viewport: DESKTOP, look: {}, open: true },
  { file: 'phone.png', viewport: PHONE, look: {}, open: true },
  { file: 'dark.png', viewport: DESKTOP, look: { theme: 'dark', accent_color: '#10b981' }, open: true },
  { file: 'rtl.png', viewport: DESKTOP, look: {}, open: true, language: 'he', question: 'יש לכם אוהל לשניים?' },
];

/**
 * The console's page of the live key, with the refused demo site listed under its refused origins and the
 * origin tester answered. The refused site (127.0.0.1, which the live key's allowlist does not name) is
 * visited first so the hub records the refusal; the recorder writes it in the background, hence the wait.
 */
async function consoleShot(browser, { hubUrl, secret, liveKeyId, admin }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 1, locale: 'en-US' });
  const page = await context.newPage();
  const refused = `http://127.0.0.1:${refusedPort}`;
  await Promise.all([page.waitForResponse((r) => r.url().includes('/handshake')), page.goto(`${refused}/`)]);
  for (let until = Date.now() + 30_000; !(await admin('GET', `/api/v1/widget-keys/${liveKeyId}/blocked-origins`)).data.some((o) => o.origin === refused);) {
    if (Date.now() > until) throw new Error(`the hub did not record the refusal of ${refused} within 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await page.goto(`${hubUrl}/console`);
  await page.getByLabel('Secret key').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Through the list's link, as an owner would: a route change while the list is still loading would
  // let the list's table land on the key's page (the console's router does not drop a superseded page).
  await page.getByRole('link', { name: 'Demo site (live key)' }).click();
  await page.getByRole('heading', { level: 1, name: 'Widget key "Demo site (live key)"' }).waitFor();
  await page.getByRole('row', { name: /127\.0\.0\.1/ }).waitFor();
  await page.getByRole('textbox', { name: 'Origin', exact: true }).fill('https://shop.example.com');
  await page.getByRole('button', { name: 'Test', exact: true }).click();
  await page.locator('.answer').filter({ hasText: /\S/ }).waitFor();
  await page.screenshot({ path: join(OUT, 'console.png') });
  console.log('docs/img/console.png');
  await context.close();
}

const dataDir = mkdtempSync(join(tmpdir(), 'kataven-screenshots-'));
const [hubPort, sitePort, refusedPort] = [await freePort(), await freePort(), await freePort()];
const hub = spawnNode([join(ROOT, 'dist', 'cli.js'), 'demo', '--port', String(hubPort), '--site-port', String(sitePort), '--refused-site-port', String(refusedPort), '--data-dir', dataDir]);
let browser;
try {
  const hubUrl = `http://localhost:${hubPort}`;
  await waitForHttp(`${hubUrl}/healthz`, hub);
  await waitForHttp(`http://localhost:${sitePort}/`, hub);
  const { secret_key: secret, live_widget_key_id: liveKeyId } = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8'));
  const admin = async (method, path, body) => {
    const res = await fetch(hubUrl + path, { method, headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return res.json();
  };
  const agent = (await admin('GET', '/api/v1/agents')).data.find((a) => a.is_default);
  const plain = { theme: 'light', accent_color: agent.accent_color, locale: null };

  browser = await chromium.launch({ executablePath: chromiumPath(), args: ARGS });
  for (const shot of SHOTS) {
    await admin('PATCH', `/api/v1/agents/${agent.id}`, { ...plain, ...shot.look });
    const context = await browser.newContext({ viewport: shot.viewport, deviceScaleFactor: 1, locale: shot.language ?? 'en-US', extraHTTPHeaders: { 'accept-language': shot.language ?? 'en' } });
    const page = await context.newPage();
    await page.goto(`http://localhost:${sitePort}/`);
    const iframe = page.locator(`iframe[src^="${hubUrl}/widget/v1/frame"]`);
    await iframe.waitFor({ state: 'visible', timeout: 30_000 });
    const frame = page.frameLocator(`iframe[src^="${hubUrl}/widget/v1/frame"]`);
    if (shot.open) {
      await frame.locator('.kv-launch').click();
      await frame.getByRole('textbox').fill(shot.question ?? 'Do you have a tent for two?');
      await frame.getByRole('textbox').press('Enter');
      // The demo agent's reply, complete.
      await frame.locator('.kv-agent').nth(1).waitFor({ timeout: 30_000 });
      await frame.locator('.kv-streaming').waitFor({ state: 'detached', timeout: 30_000 });
      // The composer's caret and focus ring would blink into one picture and not the next.
      await frame.getByRole('textbox').blur();
    }
    await page.screenshot({ path: join(OUT, shot.file) });
    console.log(`docs/img/${shot.file}`);
    await context.close();
  }
  await consoleShot(browser, { hubUrl, secret, liveKeyId, admin });
} finally {
  await browser?.close();
  await hub.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
