/**
 * Issue 14 over HTTP on each database: the refused origins a key keeps, check-origin answering with the
 * handshake's own decision and words, and test keys (pk_test_) that work only on loopback pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../src/hub/accounts/repo.js';
import { WIDGET_API } from '../../src/protocol/widget-api.js';
import { DIALECTS } from '../helpers/databases.js';
import { call } from '../helpers/http.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { createKey, handshake, withLastCharChanged } from '../helpers/widget.js';

describe.each(DIALECTS)('owner tools on %s', (dialect) => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub(dialect);
  });
  afterAll(() => hub.close());

  const blocked = async (id: string) => {
    // The recorder writes in the background: flush waits for its writes (none is due yet, so it adds none).
    await hub.ctx.blocked.flush();
    return hub.api(`/api/v1/widget-keys/${id}/blocked-origins`);
  };
  const check = (id: string, origin: unknown) => hub.api(`/api/v1/widget-keys/${id}/check-origin`, { method: 'POST', body: { origin } });

  describe('blocked origins', () => {
    it('lists a refused origin with its type, count and times', async () => {
      const key = await createKey(hub, ['shop.example']);
      const before = new Date().toISOString();
      expect((await handshake(hub, key.key, 'https://other.example')).status).toBe(403);
      const res = await blocked(key.id);
      expect(res.status).toBe(200);
      expect(res.body.has_more).toBe(false);
      expect(res.body.data).toEqual([{ origin: 'https://other.example', type: 'origin_not_allowed', count: 1, first_seen_at: expect.any(String), last_seen_at: expect.any(String) }]);
      expect(res.body.data[0].first_seen_at >= before).toBe(true);
    });

    it('keeps an allowed origin out of the list', async () => {
      const key = await createKey(hub, ['shop.example']);
      expect((await handshake(hub, key.key, 'https://shop.example')).status).toBe(200);
      expect((await blocked(key.id)).body.data).toEqual([]);
    });

    it('leaves out an origin refused before its entry was added, and keeps the others', async () => {
      const key = await createKey(hub, ['shop.example']);
      await handshake(hub, key.key, 'https://blog.example');
      await handshake(hub, key.key, 'https://other.example');
      expect((await blocked(key.id)).body.data.map((b: { origin: string }) => b.origin).sort()).toEqual(['https://blog.example', 'https://other.example']);
      expect((await hub.api(`/api/v1/widget-keys/${key.id}`, { method: 'PATCH', body: { domain_allowlist: ['shop.example', 'blog.example'] } })).status).toBe(200);
      expect((await blocked(key.id)).body.data.map((b: { origin: string }) => b.origin)).toEqual(['https://other.example']);
      // Taken out again: the old refusal is back, it is what is left to fix.
      await hub.api(`/api/v1/widget-keys/${key.id}`, { method: 'PATCH', body: { domain_allowlist: ['shop.example'] } });
      expect((await blocked(key.id)).body.data.map((b: { origin: string }) => b.origin).sort()).toEqual(['https://blog.example', 'https://other.example']);
    });

    it('stores the origin canonical when it parses, as seen when it does not, and "" when absent', async () => {
      const key = await createKey(hub, ['shop.example']);
      await handshake(hub, key.key, 'HTTPS://Other.Example:443');
      await handshake(hub, key.key, 'https://shop.example/path');
      await call(hub.url, 'POST', '/api/v1/widget/handshake', { body: JSON.stringify({ client_key: key.key }), headers: { 'content-type': 'text/plain' } });
      const rows = (await blocked(key.id)).body.data as { origin: string; type: string }[];
      expect(rows.map((r) => [r.origin, r.type]).sort()).toEqual([
        ['', 'origin_missing'],
        ['https://other.example', 'origin_not_allowed'],
        ['https://shop.example/path', 'origin_missing'],
      ]);
    });

    it('records the refusal of a disabled key under its own type', async () => {
      const key = await createKey(hub, ['shop.example']);
      await hub.api(`/api/v1/widget-keys/${key.id}`, { method: 'PATCH', body: { disabled: true } });
      expect((await handshake(hub, key.key, 'https://shop.example')).body.error.type).toBe('key_disabled');
      expect((await blocked(key.id)).body.data).toMatchObject([{ origin: 'https://shop.example', type: 'key_disabled' }]);
    });

    it('lists the newest first', async () => {
      const key = await createKey(hub, []);
      for (const site of ['https://a.example', 'https://b.example', 'https://c.example']) {
        await handshake(hub, key.key, site);
        // Each write carries its own millisecond: wait for the clock rather than sleep a fixed time.
        await hub.ctx.blocked.flush();
        const seen = Date.now();
        while (Date.now() === seen) await new Promise((r) => setImmediate(r));
      }
      expect((await blocked(key.id)).body.data.map((r: { origin: string }) => r.origin)).toEqual(['https://c.example', 'https://b.example', 'https://a.example']);
    });

    it("answers 404 for another account's key and an unknown id", async () => {
      const other = await createAccount(hub.store.db, 'Other');
      const key = await createKey(hub, []);
      for (const res of [await hub.api(`/api/v1/widget-keys/${key.id}/blocked-origins`, { key: other.secret_key }), await hub.api('/api/v1/widget-keys/wk_nope/blocked-origins')]) {
        expect(res.status).toBe(404);
        expect(res.body.error.type).toBe('not_found');
      }
    });

    it('goes with a key that is hard-deleted', async () => {
      const key = await createKey(hub, []);
      await handshake(hub, key.key, 'https://gone.example');
      await hub.ctx.blocked.flush();
      expect((await hub.api(`/api/v1/widget-keys/${key.id}`, { method: 'DELETE' })).body.deleted).toBe(true);
      const rows = await hub.store.db.selectFrom('blocked_origins').selectAll().where('widget_key_id', '=', key.id).execute();
      expect(rows).toEqual([]);
    });
  });

  describe('check-origin', () => {
    it('names the entry that admits an allowed origin', async () => {
      const key = await createKey(hub, ['shop.example', '*.shop.example']);
      expect((await check(key.id, 'https://eu.shop.example')).body).toEqual({ allowed: true, matched_entry: '*.shop.example', reason: null, suggested_entry: null });
    });

    it("refuses with the handshake's own message and suggests the entry to add", async () => {
      const key = await createKey(hub, ['shop.example']);
      const origin = 'http://staging.shop.example:8080';
      const res = await check(key.id, origin);
      const hs = await handshake(hub, key.key, origin);
      expect(res.body).toEqual({ allowed: false, matched_entry: null, reason: hs.body.error.message, suggested_entry: 'http://staging.shop.example:8080' });
      // The suggestion admits it: add it and the handshake passes.
      await hub.api(`/api/v1/widget-keys/${key.id}`, { method: 'PATCH', body: { domain_allowlist: ['shop.example', res.body.suggested_entry] } });
      expect((await handshake(hub, key.key, origin)).status).toBe(200);
      expect((await check(key.id, origin)).body).toMatchObject({ allowed: true, matched_entry: 'http://staging.shop.example:8080' });
    });

    it.each([
      ['https://shop.example', 'shop.example'],
      ['https://shop.example:8443', 'shop.example:8443'],
      ['http://localhost:3000', 'localhost:3000'],
      ['https://1.2.3.4', null],
    ])('suggests for %s the entry %s', async (origin, entry) => {
      const key = await createKey(hub, []);
      expect((await check(key.id, origin)).body.suggested_entry).toBe(entry);
    });

    it('says a disabled key is refused, as the handshake does', async () => {
      const key = await createKey(hub, ['shop.example']);
      await hub.api(`/api/v1/widget-keys/${key.id}`, { method: 'PATCH', body: { disabled: true } });
      const hs = await handshake(hub, key.key, 'https://shop.example');
      expect((await check(key.id, 'https://shop.example')).body).toEqual({ allowed: false, matched_entry: 'shop.example', reason: hs.body.error.message, suggested_entry: null });
    });

    it('refuses a malformed origin with a 400 naming the field and the origin meant', async () => {
      const key = await createKey(hub, []);
      const res = await check(key.id, 'https://shop.example/checkout');
      expect(res.status).toBe(400);
      expect(res.body.error.type).toBe('invalid_request');
      expect(res.body.error.message).toMatch(/^origin: "https:\/\/shop\.example\/checkout" is not an origin/);
      expect(res.body.error.message).toContain('did you mean "https://shop.example"?');
      for (const bad of ['shop.example', '', 'null']) expect((await check(key.id, bad)).body.error.type).toBe('invalid_request');
      expect((await check(key.id, 42)).status).toBe(400);
      expect((await hub.api(`/api/v1/widget-keys/${key.id}/check-origin`, { method: 'POST', body: {} })).status).toBe(400);
    });

    it("answers 404 for another account's key", async () => {
      const other = await createAccount(hub.store.db, 'Other');
      const key = await createKey(hub, []);
      const res = await hub.api(`/api/v1/widget-keys/${key.id}/check-origin`, { method: 'POST', body: { origin: 'https://a.example' }, key: other.secret_key });
      expect(res.status).toBe(404);
    });
  });

  describe('test keys', () => {
    it('creates a pk_test_ key marked test, and live keys stay live', async () => {
      const test = await hub.api('/api/v1/widget-keys', { method: 'POST', body: { name: 'Laptop', mode: 'test' } });
      expect(test.status).toBe(201);
      expect(test.body.key).toMatch(/^pk_test_[0-9A-Za-z]{38}$/);
      expect(test.body.mode).toBe('test');
      const live = await createKey(hub, []);
      expect((live as unknown as { mode: string }).mode).toBe('live');
      const list = (await hub.api('/api/v1/widget-keys?limit=100')).body.data as { id: string; mode: string }[];
      expect(list.find((k) => k.id === test.body.id)?.mode).toBe('test');
      expect(list.find((k) => k.id === live.id)?.mode).toBe('live');
    });

    it('refuses to change a mode, and an unknown mode', async () => {
      const key = await createKey(hub, []);
      expect((await hub.api(`/api/v1/widget-keys/${key.id}`, { method: 'PATCH', body: { mode: 'test' } })).status).toBe(400);
      const unknown = await hub.api('/api/v1/widget-keys', { method: 'POST', body: { name: 'x', mode: 'staging' } });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toBe('mode: must be one of "live", "test"');
    });

    it.each(['http://localhost:5173', 'https://localhost', 'http://127.0.0.1:8080', 'http://[::1]:3000'])('works on %s whatever the allowlist', async (origin) => {
      const key = await createKey(hub, [], { mode: 'test' });
      const res = await handshake(hub, key.key, origin);
      expect(res.status).toBe(200);
      expect(res.body.mode).toBe('test');
      expect((await check(key.id, origin)).body).toEqual({ allowed: true, matched_entry: null, reason: null, suggested_entry: null });
    });

    it('refuses every other origin, even a listed one, saying to use a live key', async () => {
      const key = await createKey(hub, ['shop.example'], { mode: 'test' });
      const res = await handshake(hub, key.key, 'https://shop.example');
      expect(res.status).toBe(403);
      expect(res.body.error.type).toBe('test_key_not_local');
      expect(res.body.error.message).toContain('Use a live key (pk_live_…) on this site');
      expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
      expect((await check(key.id, 'https://shop.example')).body).toEqual({ allowed: false, matched_entry: null, reason: res.body.error.message, suggested_entry: null });
      expect((await blocked(key.id)).body.data).toMatchObject([{ origin: 'https://shop.example', type: 'test_key_not_local' }]);
      const frame = await call(hub.url, 'GET', `/widget/v1/frame?k=${key.id}&o=${encodeURIComponent('https://shop.example')}`);
      expect(frame.status).not.toBe(200);
    });

    it('refuses a pk_test_ key with a bad checksum without a lookup', async () => {
      const key = await createKey(hub, [], { mode: 'test' });
      const broken = withLastCharChanged(key.key);
      expect((await handshake(hub, broken, 'http://localhost:3000')).body.error.type).toBe('key_malformed');
    });

    it("marks a test key's conversations test, and a live key's live", async () => {
      const modeOf = async (extra: Record<string, unknown>, origin: string) => {
        const key = await createKey(hub, [origin], extra);
        const hs = await handshake(hub, key.key, origin);
        const conv = await call(hub.url, 'POST', WIDGET_API.conversations, { key: hs.body.session_token, body: {} });
        const listed = await hub.api(`/api/v1/conversations?widget_key_id=${key.id}`);
        const shown = await hub.api(`/api/v1/conversations/${conv.body.id}`);
        expect(listed.body.data[0].mode).toBe(shown.body.mode);
        return shown.body.mode;
      };
      expect(await modeOf({ mode: 'test' }, 'http://localhost:3000')).toBe('test');
      expect(await modeOf({}, 'https://shop.example')).toBe('live');
    });
  });
});
