import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/hub/config.js';
import { createHub } from '../../src/hub/hub.js';
import { kataven } from './run.js';

describe('kataven accounts and serve', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'kataven-cli-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints exactly {"account_id": …, "secret_key": …} with --json, and the key works', async () => {
    const run = await kataven(['accounts', 'create', '--name', 'Acme', '--json', '--data-dir', dataDir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\{"account_id": "acct_[0-9a-z]+", "secret_key": "sk_live_[0-9A-Za-z]{38}"\}\n$/);
    const { secret_key } = JSON.parse(run.stdout);
    const loaded = loadConfig({ KATAVEN_DATA_DIR: dataDir, KATAVEN_LOG_LEVEL: 'silent' });
    if (!loaded.ok) throw new Error(loaded.errors.join());
    const hub = await createHub(loaded.config, { logger: false });
    try {
      const res = await hub.app.inject({ url: '/api/v1/widget-keys', headers: { authorization: `Bearer ${secret_key}` } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ data: [], has_more: false });
    } finally {
      await hub.app.close();
    }
  });

  it('rotate-key prints a new key that works, and with --grace-period 0 the old one is refused', async () => {
    const { account_id, secret_key: old } = JSON.parse((await kataven(['accounts', 'create', '--name', 'Rotor', '--json', '--data-dir', dataDir])).stdout);
    const run = await kataven(['accounts', 'rotate-key', '--account', account_id, '--grace-period', '0', '--json', '--data-dir', dataDir]);
    expect(run.code, run.stderr).toBe(0);
    const rotated = JSON.parse(run.stdout) as { secret_key: string; previous_keys_expire_at: string };
    expect(rotated.secret_key).toMatch(/^sk_live_/);
    const loaded = loadConfig({ KATAVEN_DATA_DIR: dataDir, KATAVEN_LOG_LEVEL: 'silent' });
    if (!loaded.ok) throw new Error(loaded.errors.join());
    const hub = await createHub(loaded.config, { logger: false });
    try {
      const as = (key: string) => hub.app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${key}` } });
      expect((await as(rotated.secret_key)).statusCode).toBe(200);
      expect((await as(old)).statusCode).toBe(401);
    } finally {
      await hub.app.close();
    }
  });

  it('refuses rotate-key for an account the store does not have', async () => {
    const run = await kataven(['accounts', 'rotate-key', '--account', 'acct_nope', '--data-dir', dataDir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no account "acct_nope"');
  });

  it('refuses accounts create without --name, with the usage', async () => {
    const run = await kataven(['accounts', 'create', '--data-dir', dataDir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--name is required');
    expect(run.stderr).toContain('Usage: kataven accounts create');
  });

  it('refuses to serve with bad settings, one line per bad value', async () => {
    const run = await kataven(['serve', '--port', 'eighty'], { KATAVEN_HANDSHAKE_RATE_LIMIT: '-5', KATAVEN_DATABASE_URL: 'mysql://x' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--port="eighty": must be a whole number from 0 to 65535');
    expect(run.stderr).toContain('KATAVEN_HANDSHAKE_RATE_LIMIT="-5": must be a whole number');
    expect(run.stderr).toContain('KATAVEN_DATABASE_URL="mysql://x": must be a URL starting with postgres://');
  });

  it('refuses to serve PostgreSQL without a shared session secret', async () => {
    const run = await kataven(['serve', '--port', '0'], { KATAVEN_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    // A configuration error like any other (issue 9): exit 2, before any connection is tried.
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('KATAVEN_SESSION_SECRET is required');
  });
});
