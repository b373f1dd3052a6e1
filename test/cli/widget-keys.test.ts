import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedWidgetKey, DeletedWidgetKey, WidgetKey, WidgetKeyList } from '../../src/client/index.js';
import { handshake } from '../client/helpers.js';
import { cliAgainstHub, json, kataven } from './run.js';


describe('kataven widget-keys --help', () => {
  it('describes every command and flag', async () => {
    const run = await kataven(['widget-keys', '--help']);
    expect(run.code).toBe(0);
    for (const word of ['list', 'create', 'update', 'delete', '--name', '--domain', '--agent', '--disable', '--enable', '--limit', '--all', '--json', '--api-key', '--base-url', 'KATAVEN_API_KEY']) {
      expect(run.stdout).toContain(word);
    }
  });

  it('is listed by kataven --help, with agents', async () => {
    const run = await kataven(['--help']);
    expect(run.stdout).toContain('kataven widget-keys list|create|update|delete');
    expect(run.stdout).toContain('kataven agents list|create|update');
  });
});

describe('kataven widget-keys against a hub', () => {
  const cli = cliAgainstHub('widget-keys');
  const wk = (...args: string[]) => cli.run(...args);
  /** Setup through the API, so only the command under test is spawned. */
  const createKey = async (body: object): Promise<CreatedWidgetKey> => (await cli.hub.api('/api/v1/widget-keys', { method: 'POST', body })).body;

  it('create prints the key once and a <script> tag that works on an allowed site', async () => {
    const run = await wk('create', '--name', 'Shop', '--domain', 'allowed.example', '--domain', '*.allowed.example');
    expect(run.code).toBe(0);
    const key = /pk_live_\w+/.exec(run.stdout)![0];
    expect(run.stdout.split(key)).toHaveLength(3); // once on its own line, once in the snippet
    // The hub runs on 127.0.0.1; the tag names it localhost, same-site with a page on localhost.
    expect(cli.hub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(run.stdout).toContain(`<script src="${cli.hub.url.replace('127.0.0.1', 'localhost')}/widget/v1/loader.js" data-client-key="${key}" async></script>`);
    expect(await handshake(cli.hub, key)).toBe(200);
  });

  it('says where a test key works after an update, as list does, not "no site allowed"', async () => {
    const created = await createKey({ name: 'Laptop', mode: 'test' });
    const run = await wk('update', created.id, '--name', 'Laptop 2');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/domains:\s+localhost, 127\.0\.0\.1 and \[::1\], any port \(test key\)/);
    expect(run.stdout).not.toContain('no site allowed');
  });

  it('create --json prints the created key and its snippet', async () => {
    const created = json<CreatedWidgetKey & { snippet: string }>(await wk('create', '--name', 'Json', '--domain', 'json.example', '--json'));
    expect(created).toMatchObject({ name: 'Json', domain_allowlist: ['json.example'], key: expect.stringMatching(/^pk_live_/) });
    expect(created.snippet).toContain(`data-client-key="${created.key}"`);
  });

  it('create --identity prints the identity secret once; rotate-identity-secret prints a new one and the grace period', async () => {
    const run = await wk('create', '--name', 'Verified', '--domain', 'v.example', '--identity', 'required');
    expect(run.code).toBe(0);
    const secret = /idsec_[\w-]+/.exec(run.stdout)![0];
    const id = /Created widget key (wk_\w+)/.exec(run.stdout)![1]!;
    const rotated = await wk('rotate-identity-secret', id, '--grace-period', '60');
    expect(rotated.code).toBe(0);
    const next = /idsec_[\w-]+/.exec(rotated.stdout)![0];
    expect(next).not.toBe(secret);
    expect(rotated.stdout).toContain('The previous secret keeps working until');
    const refused = await wk('update', id, '--identity', 'sometimes');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('--identity: expected off, optional, required');
  });

  it('list prints a table with the name and last 8 characters, never the plaintext', async () => {
    const created = await createKey({ name: 'Tabled' });
    const run = await wk('list', '--limit', '100');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ID\s+NAME\s+KEY\s+STATUS/);
    expect(run.stdout).toMatch(new RegExp(`${created.id}\\s+Tabled\\s+…${created.key_last8}\\s+active`));
    expect(run.stdout).not.toContain(created.key);
  });

  it('list --all --json returns every key across pages', async () => {
    for (const name of ['p1', 'p2', 'p3']) await createKey({ name });
    const everything = json<WidgetKeyList>(await wk('list', '--all', '--limit', '1', '--json'));
    const api = (await cli.hub.api('/api/v1/widget-keys?limit=100')).body as WidgetKeyList;
    expect(everything).toEqual({ data: api.data, has_more: false });
  });

  it('update renames, replaces the domains, revokes and re-enables', async () => {
    const { id } = await createKey({ name: 'Old', domain_allowlist: ['a.example'] });
    const renamed = json<WidgetKey>(await wk('update', id, '--name', 'New', '--domain', 'b.example', '--domain', 'c.example', '--json'));
    expect(renamed).toMatchObject({ name: 'New', domain_allowlist: ['b.example', 'c.example'], disabled_at: null });
    const revoked = await wk('update', id, '--disable');
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/status:\s+disabled/);
    expect(json<WidgetKey>(await wk('update', id, '--enable', '--json')).disabled_at).toBeNull();
  });

  it('update --agent repins the key and --default-agent unpins it', async () => {
    const { id } = await createKey({ name: 'Pinned' });
    expect(json<WidgetKey>(await wk('update', id, '--agent', cli.hub.account.agent_id, '--json')).agent_id).toBe(cli.hub.account.agent_id);
    expect(json<WidgetKey>(await wk('update', id, '--default-agent', '--json')).agent_id).toBeNull();
  });

  it('delete removes a key that was never used', async () => {
    const { id } = await createKey({ name: 'Unused' });
    const run = await wk('delete', id);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Deleted widget key ${id}: it was never used.`);
  });

  it('delete disables a key that was used', async () => {
    const created = await createKey({ name: 'Used', domain_allowlist: ['allowed.example'] });
    expect(await handshake(cli.hub, created.key)).toBe(200);
    const result = json<DeletedWidgetKey>(await wk('delete', created.id, '--json'));
    expect(result).toEqual({ id: created.id, deleted: false, disabled_at: expect.any(String) });
  });

  it('a refused request prints the server message on stderr and exits 1', async () => {
    const run = await wk('update', 'wk_missing', '--name', 'x');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^kataven: No widget key "wk_missing" in this account.*\(HTTP 404, not_found, request req_\w+\)\n$/);
  });

  it('a refused allowlist names the entry and exits 1', async () => {
    const run = await wk('create', '--name', 'x', '--domain', '*.github.io');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('domain_allowlist[0]: "*.github.io"');
  });

  it('reads KATAVEN_API_KEY and KATAVEN_BASE_URL', async () => {
    const run = await kataven(['widget-keys', 'list', '--json'], { KATAVEN_API_KEY: cli.hub.account.secret_key, KATAVEN_BASE_URL: cli.hub.url });
    expect(json<WidgetKeyList>(run).data.length).toBeGreaterThan(0);
  });

  it('create --test mints a pk_test_ key, marked test in the table', async () => {
    const run = await wk('create', '--name', 'Laptop', '--test');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/pk_test_\w{38}/);
    expect(run.stdout).toContain('Test key: it works only on pages of localhost, 127.0.0.1 and [::1]');
    const id = /Created widget key (\S+)/.exec(run.stdout)![1]!;
    expect((await wk('list', '--limit', '100')).stdout).toMatch(new RegExp(`${id}\\s+Laptop\\s+…\\w{8}\\s+active\\s+test\\s+default\\s+never\\s+localhost, 127\\.0\\.0\\.1 and \\[::1\\], any port \\(test key\\)`));
  });

  it('blocked lists the refused origins, newest first', async () => {
    const created = await createKey({ name: 'Blocked', domain_allowlist: ['allowed.example'] });
    expect((await wk('blocked', created.id)).stdout).toBe(`No refused origins for ${created.id} in the last 30 days.\n`);
    expect(await handshake(cli.hub, created.key, 'https://elsewhere.example')).toBe(403);
    await cli.hub.ctx.blocked.flush();
    const run = await wk('blocked', created.id);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^LAST SEEN\s+FIRST SEEN\s+COUNT\s+TYPE\s+ORIGIN\n\S+ \S+ UTC\s+\S+ \S+ UTC\s+1\s+origin_not_allowed\s+https:\/\/elsewhere\.example\n/);
    expect(json(await wk('blocked', created.id, '--json')).data).toHaveLength(1);
  });

  it('check says which entry allows an origin (exit 0), or why not and what to add (exit 1)', async () => {
    const created = await createKey({ name: 'Checked', domain_allowlist: ['*.allowed.example'] });
    const ok = await wk('check', created.id, 'https://www.allowed.example');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('Allowed: https://www.allowed.example matches the entry "*.allowed.example".\n');
    const refused = await wk('check', created.id, 'https://allowed.example');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('Refused: Origin https://allowed.example is not in the domain allowlist');
    expect(refused.stdout).toContain('The entry that allows it: allowed.example');
    expect(json(await wk('check', created.id, 'https://www.allowed.example', '--json'))).toEqual({ allowed: true, matched_entry: '*.allowed.example', reason: null, suggested_entry: null });
  });

  it('check refuses a malformed origin with the hub message, exit 1', async () => {
    const created = await createKey({ name: 'Bad origin' });
    const run = await wk('check', created.id, 'https://shop.example/');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('origin: "https://shop.example/" is not an origin');
  });

  it('a wrong API key exits 1 with the hub message', async () => {
    const run = await kataven(['widget-keys', 'list', '--api-key', 'sk_live_wrong', '--base-url', cli.hub.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('HTTP 401, invalid_api_key');
  });
});

describe('kataven widget-keys usage errors exit 2', () => {
  const auth = ['--api-key', 'sk_live_x', '--base-url', 'http://127.0.0.1:9'];
  it.each([
    [['create', ...auth], 'widget-keys create needs --name NAME'],
    [['update', 'wk_1', '--disable', '--enable', ...auth], '--disable and --enable contradict each other'],
    [['update', 'wk_1', ...auth], 'nothing to update'],
    [['delete', ...auth], 'widget-keys delete needs the key id'],
    [['check', 'wk_1', ...auth], 'widget-keys check needs the key id and an ORIGIN'],
    [['blocked', 'wk_1', 'extra', ...auth], 'unexpected argument "extra"'],
    [['list', '--name', 'x', ...auth], '--name does not apply to `widget-keys list`'],
    [['list', '--limit', '500', ...auth], '--limit must be a whole number from 1 to 100'],
    [['revoke', 'wk_1', ...auth], 'unknown widget-keys command "revoke"'],
    [['list'], 'no API key: pass --api-key'],
  ])('%j', async (args, message) => {
    const run = await kataven(['widget-keys', ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});
