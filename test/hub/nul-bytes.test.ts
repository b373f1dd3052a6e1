/**
 * A NUL character in any string that would reach the database is a 400 naming the field, on both
 * databases alike (PostgreSQL used to answer 500 with a stack in the log; SQLite stored it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDSHAKE_PATH } from '../../src/protocol/handshake.js';
import { WIDGET_API } from '../../src/protocol/widget-api.js';
import { DIALECTS } from '../helpers/databases.js';
import { call } from '../helpers/http.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { logLines } from '../helpers/log-lines.js';
import { createKey, handshake } from '../helpers/widget.js';

const NUL = '\u0000';
const SITE = 'https://shop.example';

interface BadInput {
  method: string;
  path: string;
  body?: unknown;
  /** Sent as the session's or the account's Bearer token. */
  as: 'admin' | 'visitor' | 'page';
  /** The field the refusal must name. */
  field: string;
}

/** `{key}`, `{agent}` and `{conversation}` in a path are replaced by real ids. */
const CASES: Array<[string, BadInput]> = [
  ['a widget key name', { as: 'admin', method: 'POST', path: '/api/v1/widget-keys', body: { name: `a${NUL}b` }, field: 'name' }],
  ['a renamed widget key', { as: 'admin', method: 'PATCH', path: '/api/v1/widget-keys/{key}', body: { name: `a${NUL}` }, field: 'name' }],
  ['an allowlist entry', { as: 'admin', method: 'POST', path: '/api/v1/widget-keys', body: { name: 'k', domain_allowlist: ['ok.example', `x${NUL}.example`] }, field: 'domain_allowlist[1]' }],
  ['an agent id on a key', { as: 'admin', method: 'POST', path: '/api/v1/widget-keys', body: { name: 'k', agent_id: `agt_${NUL}` }, field: 'agent_id' }],
  ['a widget key id in the path', { as: 'admin', method: 'PATCH', path: '/api/v1/widget-keys/wk_%00x', body: { name: 'k' }, field: 'id (in the path)' }],
  ['a widget key cursor', { as: 'admin', method: 'GET', path: '/api/v1/widget-keys?starting_after=wk_%00', field: 'starting_after (in the query string)' }],
  ['an agent name', { as: 'admin', method: 'POST', path: '/api/v1/agents', body: { name: `A${NUL}` }, field: 'name' }],
  ['an agent greeting', { as: 'admin', method: 'PATCH', path: '/api/v1/agents/{agent}', body: { greeting: `Hi${NUL}` }, field: 'greeting' }],
  ['an agent webhook URL', { as: 'admin', method: 'POST', path: '/api/v1/agents', body: { name: 'A', webhook_url: `https://a.example/${NUL}` }, field: 'webhook_url' }],
  ['an agent id in the path', { as: 'admin', method: 'GET', path: '/api/v1/agents/agt_%00', field: 'id (in the path)' }],
  ['an agent cursor', { as: 'admin', method: 'GET', path: '/api/v1/agents?starting_after=%00', field: 'starting_after (in the query string)' }],
  ['a field name', { as: 'admin', method: 'POST', path: '/api/v1/agents', body: { name: 'A', [`x${NUL}`]: 1 }, field: `x${NUL}` }],
  ['a visitor message', { as: 'visitor', method: 'POST', path: WIDGET_API.messages('{conversation}'), body: { text: `hello${NUL}` }, field: 'text' }],
  ['a conversation id in the path', { as: 'visitor', method: 'GET', path: '/api/v1/widget/conversations/conv_%00/messages', field: 'id (in the path)' }],
  ['a conversation id with a message', { as: 'visitor', method: 'POST', path: '/api/v1/widget/conversations/%00/messages', body: { text: 'hi' }, field: 'id (in the path)' }],
  ['a client key', { as: 'page', method: 'POST', path: HANDSHAKE_PATH, body: JSON.stringify({ client_key: `pk_live_${NUL}` }), field: 'data-client-key' }],
  ['a handshake body', { as: 'page', method: 'POST', path: HANDSHAKE_PATH, body: `{"client_key":"pk_live_${NUL}"}`, field: 'body' }],
];

describe.each(DIALECTS)('NUL characters on %s', (dialect) => {
  let hub: TestHub;
  const log = logLines();
  let ids: Record<string, string>;
  let token: string;
  beforeAll(async () => {
    hub = await startTestHub(dialect, { logLevel: 'info', sessionRateLimit: 1000 }, { logStream: log.stream });
    const key = await createKey(hub, ['shop.example']);
    token = (await handshake(hub, key.key, SITE)).body.session_token;
    const conversation = await call(hub.url, 'POST', WIDGET_API.conversations, { key: token, body: {} });
    ids = { key: key.id, agent: hub.account.agent_id, conversation: conversation.body.id };
  });
  afterAll(() => hub.close());

  it.each(CASES)('refuses %s with a 400 naming the field', async (_name, input) => {
    const path = input.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(ids[name]!));
    const headers: Record<string, string> = input.as === 'page' ? { origin: SITE, 'content-type': 'text/plain' } : {};
    const res = await call(hub.url, input.method, path, { body: input.body, headers, key: input.as === 'admin' ? hub.account.secret_key : input.as === 'visitor' ? token : null });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.message).toContain(input.field);
  });

  it('logged no server error and no stack for any of them', () => {
    const parsed = log.lines.map((l) => JSON.parse(l) as { level: number; msg?: string });
    expect(parsed.length).toBeGreaterThan(0);
    expect(parsed.filter((l) => l.level >= 50)).toEqual([]);
    expect(log.lines.join('\n')).not.toMatch(/"stack"|\n\s+at /);
  });

  it('stored none of them', async () => {
    const { db } = hub.store;
    const names = [...(await db.selectFrom('widget_keys').select('name').execute()), ...(await db.selectFrom('agents').select(['name', 'greeting']).execute())];
    expect(JSON.stringify(names)).not.toContain('\\u0000');
    expect(JSON.stringify(await db.selectFrom('messages').select('text').execute())).not.toContain('\\u0000');
  });
});
