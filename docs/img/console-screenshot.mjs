// Makes docs/img/console.png from the real console: `node build.mjs && node docs/img/console-screenshot.mjs`.
// Runs `kataven demo` on spare ports in a temporary data directory, gives its key a refused origin (a
// handshake from a page the allowlist does not name), signs in to /console in Chromium and photographs
// that key's page. Chromium: $KATAVEN_CHROMIUM, else /usr/bin/chromium.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const PORTS = { hub: 18787, site: 13000, refused: 13001 };
const dataDir = mkdtempSync(join(tmpdir(), 'kataven-shot-'));
const hub = spawn(process.execPath, ['dist/cli.js', 'demo', '--port', String(PORTS.hub), '--site-port', String(PORTS.site), '--refused-site-port', String(PORTS.refused), '--data-dir', dataDir, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
const stop = () => {
  hub.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
};

try {
  // The demo prints its secret key once it listens.
  const secret = await new Promise((resolve, reject) => {
    let out = '';
    hub.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /Demo secret key\s+(sk_live_\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    hub.on('exit', (code) => reject(new Error(`kataven demo exited (${code}) before it printed its secret key:\n${out}`)));
  });
  const url = `http://localhost:${PORTS.hub}`;
  const api = (path, init = {}) => fetch(url + path, { ...init, headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', ...init.headers } }).then((r) => r.json());
  // The refused demo site embeds the demo's live key (the allowed site a test key).
  const key = (await api('/api/v1/widget-keys')).data.find((k) => k.mode === 'live');
  // What a browser on the refused demo site sends: the recorder lists the origin on the key's page.
  const browser = await chromium.launch({ executablePath: process.env.KATAVEN_CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 1 });
  await Promise.all([page.waitForResponse((r) => r.url().includes('/handshake')), page.goto(`http://127.0.0.1:${PORTS.refused}/`)]);
  await page.goto(`${url}/console`);
  await page.getByLabel('Secret key').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Widget keys' }).waitFor();
  await page.goto(`${url}/console#/keys/${key.id}`);
  const row = page.getByRole('row', { name: /127\.0\.0\.1/ });
  for (let i = 0; i < 20 && (await row.count()) === 0; i++) {
    await page.waitForTimeout(250);
    await page.reload();
  }
  await page.getByRole('textbox', { name: 'Origin', exact: true }).fill('https://shop.example.com');
  await page.getByRole('button', { name: 'Test', exact: true }).click();
  await page.locator('.answer').filter({ hasText: /\S/ }).waitFor();
  await page.screenshot({ path: 'docs/img/console.png', fullPage: false });
  await browser.close();
  console.log('docs/img/console.png written');
} finally {
  stop();
}
