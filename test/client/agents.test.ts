import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError, NotFoundError, type Kataven } from '../../src/client/index.js';
import { createAccount } from '../../src/hub/accounts/repo.js';
import { DIALECTS } from '../helpers/databases.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { clientFor } from './helpers.js';

describe.each(DIALECTS)('client.agents on %s', (dialect) => {
  let hub: TestHub;
  let client: Kataven;
  beforeAll(async () => {
    hub = await startTestHub(dialect);
    client = clientFor(hub);
  });
  afterAll(() => hub.close());

  it("lists the account's default agent", async () => {
    const page = await client.agents.list();
    expect(page.data.find((a) => a.id === hub.account.agent_id)).toMatchObject({ is_default: true });
  });

  it('creates an agent with every field', async () => {
    const agent = await client.agents.create({ name: 'Support', greeting: 'Hi!', accent_color: '#0f766e', webhook_url: 'https://example.com/hook' });
    expect(agent).toMatchObject({ name: 'Support', greeting: 'Hi!', accent_color: '#0f766e', webhook_url: 'https://example.com/hook', is_default: false });
  });

  it('retrieves an agent by id', async () => {
    const agent = await client.agents.create({ name: 'Lookup' });
    expect(await client.agents.retrieve(agent.id)).toEqual(agent);
  });

  it('updates an agent and removes its webhook with null', async () => {
    const agent = await client.agents.create({ name: 'Hooked', webhook_url: 'https://example.com/hook' });
    const updated = await client.agents.update(agent.id, { greeting: 'Hello again', webhook_url: null });
    expect(updated).toMatchObject({ id: agent.id, name: 'Hooked', greeting: 'Hello again', webhook_url: null });
  });

  it('iterates every agent across pages', async () => {
    const other = await createAccount(hub.store.db, 'Agent pager');
    const pager = clientFor(hub, { apiKey: other.secret_key });
    const ids = [other.agent_id];
    for (let i = 0; i < 3; i++) ids.push((await pager.agents.create({ name: `a${i}` })).id);
    const seen: string[] = [];
    for await (const agent of pager.agents.list({ limit: 2 })) seen.push(agent.id);
    expect(seen).toEqual([...ids].reverse());
  });

  it('answers NotFoundError for an unknown agent', async () => {
    await expect(client.agents.retrieve('ag_missing')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('answers BadRequestError naming webhook_url for a non-http URL', async () => {
    const err = await client.agents.create({ name: 'Bad', webhook_url: 'ftp://example.com' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    // The network guard's message (src/hub/agent-call/url-guard.ts), one rule at save and at send.
    expect((err as BadRequestError).message).toMatch(/^webhook_url must start with https:\/\/ \(or http:\/\/\), not ftp:/);
  });
});
