import { describe, expect, it } from 'vitest';
import type { ConversationList, ConversationMessage, ConversationWithMessages, DeletedConversation } from '../../src/client/index.js';
import { insertMessage } from '../../src/hub/conversations/repo.js';
import { visitorConversation, visitorConversations } from '../hub/visitor-conversation.js';
import { cliAgainstHub, json, kataven } from './run.js';

describe('kataven conversations --help', () => {
  it('describes every command and flag', async () => {
    const run = await kataven(['conversations', '--help']);
    expect(run.code).toBe(0);
    for (const word of ['list', 'show', 'reply', 'take-over', 'hand-back', 'delete', '--widget-key', '--limit', '--starting-after', '--all', '--text', '--author', '--from', '--json', '--api-key', '--base-url']) {
      expect(run.stdout).toContain(word);
    }
  });

  it('is listed by kataven --help', async () => {
    expect((await kataven(['--help'])).stdout).toContain('kataven conversations list|show|reply|take-over|hand-back|delete');
  });
});

describe('kataven conversations against a hub', () => {
  const cli = cliAgainstHub('conversations');
  const start = () => visitorConversation(cli.hub.url, cli.hub.account.secret_key);
  /** Setup through the API, so only the command under test is spawned. */
  const post = (id: string, body: object) => cli.hub.api(`/api/v1/conversations/${id}/messages`, { method: 'POST', body });

  it('list prints a table, newest first, filtered by --widget-key', async () => {
    const [older, newer] = await visitorConversations(cli.hub.url, cli.hub.account.secret_key, 2);
    await post(older!.id, { text: 'hello' });
    const run = await cli.run('list', '--widget-key', older!.widgetKeyId);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+WIDGET KEY\s+MESSAGES\s+LAST MESSAGE\s+STARTED\s+MODE\s+ANSWERED BY\s+SITE$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([newer!.id, older!.id]);
    expect(lines[2]).toMatch(new RegExp(`^${older!.id}\\s+${older!.widgetKeyId}\\s+1\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC`));
    expect(lines[2]).toMatch(/UTC\s+live\s+agent\s+https:\/\/shop\.example$/);
  });

  it('list --all --json prints every conversation as one page', async () => {
    await start();
    const page = json<ConversationList>(await cli.run('list', '--all', '--limit', '1', '--json'));
    expect(page.has_more).toBe(false);
    const all = (await cli.hub.api('/api/v1/conversations?limit=100')).body.data;
    expect(page.data).toEqual(all);
  });

  it('reply posts as the agent, or with --author as a person, and show prints the transcript', async () => {
    const conv = await start();
    const agent = await cli.run('reply', conv.id, '--text', 'A person will answer.');
    expect(agent.code).toBe(0);
    expect(agent.stdout).toMatch(new RegExp(`^Posted msg_\\w+ to ${conv.id} as agent`));
    const person = json<ConversationMessage>(await cli.run('reply', conv.id, '--text', 'Sam here.\nHow can I help?', '--author', 'Sam', '--json'));
    expect(person).toMatchObject({ role: 'person', author_name: 'Sam', text: 'Sam here.\nHow can I help?' });
    const show = await cli.run('show', conv.id);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`^id:\\s+${conv.id}$`, 'm'));
    expect(show.stdout).toMatch(/^messages:\s+2$/m);
    expect(show.stdout.trimEnd()).toMatch(/\] agent:\n {2}A person will answer\.\n\n\[[^\]]+\] Sam \(person\):\n {2}Sam here\.\n {2}How can I help\?$/);
    const shown = json<ConversationWithMessages>(await cli.run('show', conv.id, '--json'));
    expect(shown.messages.map((m) => m.role)).toEqual(['agent', 'person']);
  });

  it('take-over names who answers, in show and list; hand-back gives the conversation to the agent again', async () => {
    const conv = await start();
    const taken = await cli.run('take-over', conv.id, '--author', 'Sam');
    expect(taken.code).toBe(0);
    expect(taken.stdout.trim()).toBe(`Sam answers ${conv.id} now; the agent is not called until you hand it back (kataven conversations hand-back ${conv.id}).`);
    expect((await cli.run('show', conv.id)).stdout).toMatch(/^answered by:\s+Sam \(person; the agent is not called\)$/m);
    const row = (await cli.run('list', '--widget-key', conv.widgetKeyId)).stdout.trim().split('\n')[1];
    expect(row).toMatch(/UTC\s+live\s+Sam\s+https:\/\/shop\.example$/);
    const back = await cli.run('hand-back', conv.id);
    expect(back.stdout.trim()).toBe(`The agent answers ${conv.id} again, from the visitor's next message.`);
    expect((await cli.run('show', conv.id)).stdout).toMatch(/^answered by:\s+the agent$/m);
  });

  it("take-over replaces no colleague unless --from names them; hand-back --from checks who answers too", async () => {
    const conv = await start();
    expect((await cli.run('take-over', conv.id, '--author', 'Alex')).code).toBe(0);
    const refused = await cli.run('take-over', conv.id, '--author', 'Sam');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('"Alex" answers this conversation now, not the agent');
    expect(refused.stderr).toContain(`run kataven conversations show ${conv.id} to read it, then take-over again with --from and the name it shows`);
    expect((await cli.run('show', conv.id)).stdout).toMatch(/^answered by:\s+Alex /m);
    // Run again by Alex: already so, not a conflict.
    expect((await cli.run('take-over', conv.id, '--author', 'Alex')).code).toBe(0);
    const from = await cli.run('take-over', conv.id, '--author', 'Sam', '--from', 'Alex');
    expect(from.code).toBe(0);
    expect(from.stdout).toContain(`Sam answers ${conv.id} now`);
    const staleBack = await cli.run('hand-back', conv.id, '--from', 'Alex');
    expect([staleBack.code, staleBack.stderr.includes('"Sam" answers this conversation now, not "Alex"')]).toEqual([1, true]);
    expect((await cli.run('hand-back', conv.id, '--from', 'Sam')).code).toBe(0);
    expect((await cli.run('show', conv.id)).stdout).toMatch(/^answered by:\s+the agent$/m);
  });

  it('show says why a failed reply failed', async () => {
    const conv = await start();
    await insertMessage(cli.hub.store.db, conv.id, { role: 'agent', text: 'Let me ', status: 'failed', failure_type: 'agent_timeout' });
    expect((await cli.run('show', conv.id)).stdout).toMatch(/\] agent \(failed: agent_timeout\):\n {2}Let me\s*$/);
  });

  it('delete erases the conversation; show then fails with the hub message, exit 1', async () => {
    const conv = await start();
    await post(conv.id, { text: 'bye' });
    const deleted = json<DeletedConversation>(await cli.run('delete', conv.id, '--json'));
    expect(deleted).toEqual({ id: conv.id, deleted: true });
    const show = await cli.run('show', conv.id);
    expect(show.code).toBe(1);
    expect(show.stderr).toContain(`No conversation "${conv.id}" in this account`);
    expect(show.stderr).toContain('HTTP 404, not_found');
  });

  it('refuses usage mistakes with exit 2 and the help', async () => {
    for (const args of [['reply', 'conv_x'], ['show'], ['list', '--text', 'x'], ['purge', 'conv_x'], ['delete', 'conv_a', 'conv_b'], ['take-over', 'conv_x'], ['hand-back', 'conv_x', '--author', 'Sam']]) {
      const run = await cli.run(...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toContain('Usage: kataven conversations');
    }
    expect((await cli.run('reply', 'conv_x')).stderr).toContain('needs --text TEXT');
    expect((await cli.run('take-over', 'conv_x')).stderr).toContain('needs --author NAME');
  });

  it("answers a reply the hub refuses with its message, exit 1", async () => {
    const conv = await start();
    const run = await cli.run('reply', conv.id, '--text', 'hi', '--author', '   ');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('author_name: only spaces');
  });
});
