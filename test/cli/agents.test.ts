import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent, AgentList } from '../../src/client/index.js';
import { cliAgainstHub, json, kataven } from './run.js';


describe('kataven agents --help', () => {
  it('describes every command and flag', async () => {
    const run = await kataven(['agents', '--help']);
    expect(run.code).toBe(0);
    for (const word of ['list', 'create', 'update', 'test', '--text', '--name', '--greeting', '--accent-color', '--webhook-url', '--no-webhook', '--all', '--json',
      '--llm-base-url', '--llm-model', '--llm-api-key', '--llm-system-prompt', '--no-llm', 'KATAVEN_ALLOW_PRIVATE_WEBHOOKS', '--theme', '--locale']) {
      expect(run.stdout).toContain(word);
    }
  });
});

describe('kataven agents against a hub', () => {
  const cli = cliAgainstHub('agents');
  const agents = (...args: string[]) => cli.run(...args);

  it('create sets every field and prints the webhook secret', async () => {
    const run = await agents('create', '--name', 'Support', '--greeting', 'Hi!', '--accent-color', '#0f766e', '--webhook-url', 'https://example.com/hook');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/name:\s+Support/);
    expect(run.stdout).toMatch(/accent color:\s+#0f766e/);
    expect(run.stdout).toMatch(/webhook secret:\s+\S+/);
  });

  it('update sets theme and locale, and --locale browser hands the choice back to the visitor', async () => {
    const created: Agent = (await cli.hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Look' } })).body;
    const run = await agents('update', created.id, '--theme', 'dark', '--locale', 'ar');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/theme:\s+dark/);
    expect(run.stdout).toMatch(/language:\s+ar/);
    const back = json<Agent>(await agents('update', created.id, '--locale', 'browser', '--json'));
    expect([back.theme, back.locale]).toEqual(['dark', null]);
  });

  it('refuses a theme or locale it does not know before asking the hub, listing the choices', async () => {
    const run = await agents('create', '--name', 'x', '--locale', 'klingon');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--locale "klingon": give one of en, de, fr, es, pt, ja, ar, he, or browser');
  });

  it('prints the hub\'s colour warning on stderr and still saves', async () => {
    const run = await agents('create', '--name', 'Amber', '--accent-color', '#f59e0b');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^warning: accent_color #f59e0b has 2\.15:1 contrast/m);
    expect(run.stdout).toMatch(/accent color:\s+#f59e0b/);
  });

  it('list prints the default agent in a table', async () => {
    const run = await agents('list');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^${cli.hub.account.agent_id}\\s+.+\\s+yes\\s+#`, 'm'));
  });

  it('list --all --json returns every agent', async () => {
    await cli.hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Second' } });
    const listed = json<AgentList>(await agents('list', '--all', '--limit', '1', '--json'));
    expect(listed.has_more).toBe(false);
    expect(listed.data.map((a) => a.id)).toContain(cli.hub.account.agent_id);
    expect(listed.data.length).toBe((await cli.hub.api('/api/v1/agents?limit=100')).body.data.length);
  });

  it('update changes the greeting and --no-webhook removes the webhook', async () => {
    const created: Agent = (await cli.hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Hooked', webhook_url: 'https://example.com/hook' } })).body;
    const updated = json<Agent>(await agents('update', created.id, '--greeting', 'Hello again', '--no-webhook', '--json'));
    expect(updated).toMatchObject({ id: created.id, greeting: 'Hello again', webhook_url: null });
  });

  it('rotate-secret prints the new webhook secret, which the agent now has', async () => {
    const before: Agent = (await cli.hub.api(`/api/v1/agents/${cli.hub.account.agent_id}`)).body;
    const run = await agents('rotate-secret', before.id);
    expect(run.code).toBe(0);
    const after: Agent = (await cli.hub.api(`/api/v1/agents/${before.id}`)).body;
    expect(after.webhook_secret).not.toBe(before.webhook_secret);
    expect(run.stdout).toContain(after.webhook_secret);
  });

  it('test prints the agent\'s answer to a test message', async () => {
    const run = await agents('test', cli.hub.account.agent_id, '--text', 'Hello there');
    expect(run.code).toBe(0);
    expect(run.stdout.trim().length).toBeGreaterThan(0);
    const result = json<{ outcome: string }>(await agents('test', cli.hub.account.agent_id, '--json'));
    expect(result.outcome).toBe('replied');
  });

  it('test of an agent whose webhook fails prints why and exits 1', async () => {
    // Nothing listens on port 9 (discard) of this machine: the connection is refused.
    const created: Agent = (await cli.hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Broken', webhook_url: 'http://127.0.0.1:9/hook' } })).body;
    const run = await agents('test', created.id);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('The agent failed (agent_unavailable)');
    expect(run.stdout).toContain('A visitor would see: Broken');
  });

  it('a refused colour prints the server message on stderr and exits 1', async () => {
    const run = await agents('create', '--name', 'x', '--accent-color', 'red');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^kataven: accent_color: .*\(HTTP 400, invalid_request/);
  });

  it('update of an unknown agent exits 1 with not_found', async () => {
    const run = await agents('update', 'agt_missing', '--name', 'x');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('HTTP 404, not_found');
  });

  it('update without a change is a usage error (exit 2)', async () => {
    const run = await agents('update', cli.hub.account.agent_id);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('nothing to update');
  });

  const API_KEY = 'sk-test-Cli5kEy8Vw3Q';

  it('create --llm-… makes an agent answered by a model and prints only the last 4 of its key', async () => {
    const run = await agents('create', '--name', 'Ada', '--llm-base-url', 'https://models.example.com/v1', '--llm-model', 'tiny', '--llm-api-key', API_KEY, '--llm-system-prompt', 'Be brief.');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/answers:\s+the model tiny at https:\/\/models\.example\.com\/v1/);
    expect(run.stdout).toMatch(/llm api key:\s+…Vw3Q$/m);
    expect(run.stdout).toMatch(/system prompt:\s+Be brief\.$/m);
    expect(run.stdout).not.toContain(API_KEY);
  });

  it('update --llm-model changes the model and keeps base URL, system prompt and key', async () => {
    const created = json<Agent>(await agents('create', '--name', 'Bo', '--llm-base-url', 'https://models.example.com/v1', '--llm-model', 'a', '--llm-api-key', API_KEY, '--llm-system-prompt', 'Be kind.', '--json'));
    const updated = json<Agent>(await agents('update', created.id, '--llm-model', 'b', '--json'));
    expect(updated.llm).toEqual({ base_url: 'https://models.example.com/v1', model: 'b', system_prompt: 'Be kind.', api_key_last4: 'Vw3Q' });
    const removed = json<Agent>(await agents('update', created.id, '--no-llm', '--json'));
    expect(removed).toMatchObject({ llm: null, webhook_url: null });
  });

  it('create --llm-model without --llm-base-url is a usage error (exit 2)', async () => {
    const run = await agents('create', '--name', 'Cy', '--llm-model', 'tiny');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('needs --llm-base-url URL and --llm-model MODEL');
  });

  it('--webhook-url with --llm-… flags is a usage error (exit 2)', async () => {
    const run = await agents('create', '--name', 'Dee', '--webhook-url', 'https://example.com/hook', '--llm-base-url', 'https://models.example.com/v1', '--llm-model', 'tiny');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--webhook-url and the --llm-… flags: give one');
  });
});
