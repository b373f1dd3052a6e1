/**
 * `kataven demo`'s keys: the allowed site embeds a test key, the refused site a live key whose allowlist
 * is the allowed site only, so the refusal the README shows on http://127.0.0.1:3001 stays true.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemo } from '../../src/cli/demo-seed.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { handshake } from '../helpers/widget.js';

let hub: TestHub;
let dir: string;
beforeAll(async () => {
  hub = await startTestHub('sqlite');
  dir = mkdtempSync(join(tmpdir(), 'kataven-demo-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await hub.close();
});

describe('the demo keys', () => {
  it('give the allowed site a test key and the refused site a live key it refuses', async () => {
    const { demo, created } = await ensureDemo(hub, dir, 3000);
    expect(created).toBe(true);
    expect(demo.widget_key).toMatch(/^pk_test_/);
    expect(demo.live_widget_key).toMatch(/^pk_live_/);
    expect((await handshake(hub, demo.widget_key, 'http://localhost:3000')).body.mode).toBe('test');
    const refused = await handshake(hub, demo.live_widget_key, 'http://127.0.0.1:3001');
    expect(refused.body.error.type).toBe('origin_not_allowed');
    expect(refused.body.error.message).toMatch(/^Origin http:\/\/127\.0\.0\.1:3001 is not in the domain allowlist/);
    expect((await handshake(hub, demo.live_widget_key, 'http://localhost:3000')).status).toBe(200);
  });

  it('are kept across restarts, the live key following --site-port', async () => {
    const first = (await ensureDemo(hub, dir, 3000)).demo;
    const again = await ensureDemo(hub, dir, 4000);
    expect(again).toEqual({ demo: first, created: false });
    expect((await handshake(hub, first.live_widget_key, 'http://localhost:4000')).status).toBe(200);
    expect((await handshake(hub, first.live_widget_key, 'http://localhost:3000')).status).toBe(403);
  });

  it("replace an earlier version's demo.json (one live key)", async () => {
    const old = (await ensureDemo(hub, dir, 3000)).demo;
    writeFileSync(join(dir, 'demo.json'), JSON.stringify({ account_id: old.account_id, secret_key: old.secret_key, widget_key: old.live_widget_key, widget_key_id: old.live_widget_key_id }));
    const { demo, created } = await ensureDemo(hub, dir, 3000);
    expect(created).toBe(true);
    expect(demo.widget_key).toMatch(/^pk_test_/);
  });
});
