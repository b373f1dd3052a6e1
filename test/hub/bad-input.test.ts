import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../src/hub/accounts/repo.js';
import { DIALECTS } from '../helpers/databases.js';
import { call } from '../helpers/http.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';

describe.each(DIALECTS)('bad input to the Admin API on %s', (dialect) => {
  let hub: TestHub;
  let existing: { id: string };
  let foreignAgent: string;
  beforeAll(async () => {
    hub = await startTestHub(dialect);
    existing = (await hub.api('/api/v1/widget-keys', { method: 'POST', body: { name: 'Keep me', domain_allowlist: ['keep.example'] } })).body;
    foreignAgent = (await createAccount(hub.store.db, 'Foreign')).agent_id;
  });
  afterAll(() => hub.close());

  const hundredAndOne = Array.from({ length: 101 }, (_, i) => `s${i}.example.com`);
  const cases: Array<[string, { method: string; path: string; body?: unknown; raw?: string; headers?: Record<string, string>; key?: string | null }, number, string, string?]> = [
    ['malformed JSON', { method: 'POST', path: '/api/v1/widget-keys', raw: '{"name": ' }, 400, 'invalid_json'],
    ['a wrong type', { method: 'POST', path: '/api/v1/widget-keys', body: { name: 42 } }, 400, 'invalid_request', 'name'],
    ['a missing name', { method: 'POST', path: '/api/v1/widget-keys', body: {} }, 400, 'invalid_request', 'name'],
    ['an unknown field', { method: 'POST', path: '/api/v1/widget-keys', body: { name: 'x', colour: 'red' } }, 400, 'invalid_request', 'colour'],
    ['an allowlist entry of the wrong type', { method: 'POST', path: '/api/v1/widget-keys', body: { name: 'x', domain_allowlist: ['a.example', 7] } }, 400, 'invalid_request', 'domain_allowlist[1]'],
    ['101 allowlist entries', { method: 'POST', path: '/api/v1/widget-keys', body: { name: 'x', domain_allowlist: hundredAndOne } }, 400, 'invalid_allowlist', '101'],
    ['a public-suffix wildcard', { method: 'POST', path: '/api/v1/widget-keys', body: { name: 'x', domain_allowlist: ['ok.example', '*.github.io'] } }, 400, 'invalid_allowlist', 'domain_allowlist[1]: "*.github.io"'],
    ['an oversize body', { method: 'POST', path: '/api/v1/widget-keys', raw: JSON.stringify({ name: 'x'.repeat(70_000) }) }, 413, 'body_too_large'],
    ["another account's agent", { method: 'POST', path: '/api/v1/widget-keys', body: { name: 'x', agent_id: 'FOREIGN' } }, 400, 'invalid_request', 'agent_id'],
    ['an unknown id', { method: 'PATCH', path: '/api/v1/widget-keys/wk_nope', body: { name: 'x' } }, 404, 'not_found', 'wk_nope'],
    ['a missing secret key', { method: 'GET', path: '/api/v1/widget-keys', key: null }, 401, 'authentication_required', 'Bearer'],
    ['a wrong secret key', { method: 'GET', path: '/api/v1/widget-keys', key: 'sk_live_' + 'A'.repeat(38) }, 401, 'invalid_api_key'],
    ['a public key used as secret', { method: 'GET', path: '/api/v1/widget-keys', key: 'pk_live_' + 'A'.repeat(38) }, 401, 'invalid_api_key', 'public widget key'],
    ['a limit out of range', { method: 'GET', path: '/api/v1/widget-keys?limit=500' }, 400, 'invalid_request', 'limit'],
    ['a bad accent colour', { method: 'POST', path: '/api/v1/agents', body: { name: 'x', accent_color: 'red' } }, 400, 'invalid_request', 'accent_color: must be a colour written #rrggbb'],
    ['a non-http webhook', { method: 'POST', path: '/api/v1/agents', body: { name: 'x', webhook_url: 'ftp://x.example' } }, 400, 'invalid_request', 'webhook_url'],
    ['an unknown route', { method: 'GET', path: '/api/v1/nothing' }, 404, 'not_found'],
  ];

  it.each(cases)('answers %s with a clear 4xx', async (_name, req, status, type, mention) => {
    const body = req.raw ?? (req.body === undefined ? undefined : JSON.stringify(req.body).replace('"FOREIGN"', JSON.stringify(foreignAgent)));
    const res = await hub.api(req.path, { method: req.method, body, key: req.key, headers: req.headers });
    expect(res.status).toBe(status);
    expect(res.body.error.type).toBe(type);
    expect(res.body.error.message.length).toBeGreaterThan(10);
    if (mention) expect(res.body.error.message).toContain(mention);
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
  });

  // The whole message: one reason per mistake, in words, none of the validator's own.
  it.each([
    ['an unknown field once', '/api/v1/widget-keys', { name: 'x', domains: ['shop.example'] }, 'unknown field "domains" in the body; remove it'],
    ['the values a field may take', '/api/v1/widget-keys', { name: 'x', identity: 'maybe' }, 'identity: must be one of "off", "optional", "required"'],
    ['the types a field may have', '/api/v1/widget-keys', { name: 'x', agent_id: 5 }, 'agent_id: must be string or null'],
    ['the field missing inside an object, by its whole name', '/api/v1/agents', { name: 'x', llm: { model: 'm' } }, 'llm.base_url: required in the body'],
  ])('names %s', async (_name, path, body, message) => {
    const res = await hub.api(path, { method: 'POST', body });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(message);
  });

  it('takes no body at all as {} where every field has a default (curl -X POST)', async () => {
    const noBody = (path: string) => call(hub.url, 'POST', path, { key: hub.account.secret_key });
    const verified = (await hub.api('/api/v1/widget-keys', { method: 'POST', body: { name: 'Verified', identity: 'optional' } })).body;
    const rotated = await noBody(`/api/v1/widget-keys/${verified.id}/identity-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.identity_secret).not.toBe(verified.identity_secret);
    const agent = (await hub.api('/api/v1/agents')).body.data[0].id;
    const tested = await noBody(`/api/v1/agents/${agent}/test`);
    expect(tested.status).toBe(200);
    expect(tested.body.outcome).toBe('replied');
  });

  it('changes nothing when an update is rejected', async () => {
    const before = (await hub.api('/api/v1/widget-keys?limit=100')).body.data.find((k: { id: string }) => k.id === existing.id);
    const res = await hub.api(`/api/v1/widget-keys/${existing.id}`, {
      method: 'PATCH',
      body: { name: 'Changed', disabled: true, domain_allowlist: ['fine.example', '*'] },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('domain_allowlist[1]: "*"');
    const after = (await hub.api('/api/v1/widget-keys?limit=100')).body.data.find((k: { id: string }) => k.id === existing.id);
    expect(after).toEqual(before);
  });

  it('writes nothing when a create is rejected', async () => {
    const count = async () => (await hub.store.db.selectFrom('widget_keys').select(hub.store.db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n;
    const before = Number(await count());
    await hub.api('/api/v1/widget-keys', { method: 'POST', body: { name: 'x', domain_allowlist: ['*.com'] } });
    expect(Number(await count())).toBe(before);
  });
});
