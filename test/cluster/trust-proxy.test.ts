/**
 * KATAVEN_TRUST_PROXY: behind a reverse proxy the handshake rate limit must count per visitor address
 * (X-Forwarded-For), and without the setting (the default) that header must be ignored, since anyone can
 * send it. Hub processes on SQLite, no external service needed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWidgetKey, handshakeAt } from '../helpers/widget.js';
import { createAccountViaCli, spawnHub, type HubProcess } from './support.js';

const LIMIT = 2;
const SITE = 'https://shop.example';

interface Setup { hub: HubProcess; secretKey: string; dataDir: string }

async function start(name: string, trustProxy: string | null): Promise<Setup> {
  const dataDir = mkdtempSync(join(tmpdir(), `kataven-${name}-`));
  const env: Record<string, string> = { KATAVEN_DATA_DIR: dataDir, KATAVEN_HANDSHAKE_RATE_LIMIT: String(LIMIT) };
  if (trustProxy !== null) env.KATAVEN_TRUST_PROXY = trustProxy;
  const { secret_key: secretKey } = await createAccountViaCli(env, name);
  return { hub: await spawnHub(name, env), secretKey, dataDir };
}

describe('trustProxy and the handshake rate limit', () => {
  const setups: Record<string, Setup> = {};

  beforeAll(async () => {
    const [on, list, off] = await Promise.all([start('trust-on', 'true'), start('trust-list', '127.0.0.1'), start('trust-off', null)]);
    Object.assign(setups, { on, list, off });
  }, 60_000);

  afterAll(async () => {
    for (const s of Object.values(setups)) {
      await s.hub.stop();
      rmSync(s.dataDir, { recursive: true, force: true });
    }
  });

  const burst = async (s: Setup, clientKey: string, forwardedFor: string, n: number) => {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) statuses.push((await handshakeAt(s.hub.url, clientKey, SITE, { 'x-forwarded-for': forwardedFor })).status);
    return statuses;
  };

  it.each([
    ['KATAVEN_TRUST_PROXY=true', 'on'],
    ['KATAVEN_TRUST_PROXY=127.0.0.1 (the proxy\'s address)', 'list'],
  ])('with %s, two X-Forwarded-For addresses get separate windows', async (_name, which) => {
    const s = setups[which]!;
    const key = await createWidgetKey(s.hub.url, s.secretKey, ['shop.example']);
    expect(await burst(s, key.key, '203.0.113.1', LIMIT + 1)).toEqual([...Array(LIMIT).fill(200), 429]);
    expect(await burst(s, key.key, '203.0.113.2', LIMIT + 1)).toEqual([...Array(LIMIT).fill(200), 429]);
  });

  it('with a list of proxy addresses, the address the proxy saw counts, not one the client prepended', async () => {
    // (With `true` every hop is trusted and the leftmost address counts: the proxy must then overwrite
    // X-Forwarded-For rather than append to it. the README's deployment section says so.)
    const s = setups.list!;
    const key = await createWidgetKey(s.hub.url, s.secretKey, ['shop.example']);
    expect(await burst(s, key.key, '203.0.113.1', LIMIT)).toEqual(Array(LIMIT).fill(200));
    expect(await burst(s, key.key, '198.51.100.7, 203.0.113.1', 1)).toEqual([429]);
  });

  it('by default X-Forwarded-For is ignored: every address shares the connection\'s window', async () => {
    const s = setups.off!;
    const key = await createWidgetKey(s.hub.url, s.secretKey, ['shop.example']);
    expect(await burst(s, key.key, '203.0.113.1', LIMIT)).toEqual(Array(LIMIT).fill(200));
    expect(await burst(s, key.key, '203.0.113.2', 1)).toEqual([429]);
    expect(await burst(s, key.key, '198.51.100.9', 1)).toEqual([429]);
  });
});
