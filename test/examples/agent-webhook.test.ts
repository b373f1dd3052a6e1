/** examples/agent-webhook runs as written, and the hub's agent call gets its streamed answer. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newWebhookSecret } from '../../src/protocol/webhook-signature.js';
import { messageEvent, run } from '../hub/agent-call/support.js';

const secret = newWebhookSecret();
let agent: ChildProcess;
let url: string;

beforeAll(async () => {
  agent = spawn(process.execPath, ['examples/agent-webhook/server.mjs'], {
    env: { ...process.env, KATAVEN_WEBHOOK_SECRET: secret, PORT: '0', WORD_DELAY_MS: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  agent.stdout!.setEncoding('utf8');
  for await (const text of agent.stdout!) {
    out += text;
    const match = /listening on (http:\S+)/.exec(out);
    if (match) {
      url = match[1]!;
      break;
    }
  }
  if (!url) throw new Error(`the example agent exited without listening: ${out}`);
});

afterAll(async () => {
  agent.kill();
  if (agent.exitCode === null) await once(agent, 'exit');
});

it('streams its answer to the hub, a status line first', async () => {
  const out = await run({ kind: 'webhook', name: 'Ada', url, secret }, {}, messageEvent('Do you ship to Norway?'));
  expect(out.failure).toBeUndefined();
  expect(out.statuses).toEqual(['Thinking…']);
  expect(out.chunks.length).toBeGreaterThan(5);
  expect(out.text).toBe('You said "Do you ship to Norway?" on https://shop.example, after 2 earlier messages.');
});

it('refuses a request signed with another secret', async () => {
  const out = await run({ kind: 'webhook', name: 'Ada', url, secret: newWebhookSecret() });
  expect(out.failure?.type).toBe('agent_unavailable');
  expect(out.failure?.detail).toMatch(/HTTP 401/);
});
