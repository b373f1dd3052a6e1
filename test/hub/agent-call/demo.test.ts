/** The demo agent streams its canned answer word by word, a status line first. */
import { describe, expect, it } from 'vitest';
import { callAgent } from '../../../src/hub/agent-call/call.js';
import { demoAnswer } from '../../../src/hub/agent-call/demo.js';
import { messageEvent, run } from './support.js';

const demo = { kind: 'demo' as const, name: 'Ada' };

describe('demo agent', () => {
  it('sends a status line, then the answer one word at a time', async () => {
    const out = await run(demo, { demoWordDelayMs: 0 }, messageEvent('Do you ship to Norway?'));
    expect(out.chunks[0]).toEqual({ type: 'status', text: 'Writing a demo answer…' });
    const deltas = out.chunks.slice(1);
    expect(deltas.length).toBeGreaterThan(10);
    for (const d of deltas) expect(d).toMatchObject({ type: 'delta', text: expect.stringMatching(/^\S+ ?$/) });
    expect(out.text).toBe(demoAnswer('Ada', 'Do you ship to Norway?'));
    expect(out.text).toContain('Ada here (demo agent). You said: "Do you ship to Norway?"');
    expect(out.result).toEqual({ accepted: false });
  });

  it('quotes at most 120 characters of the message', () => {
    expect(demoAnswer('Ada', 'x'.repeat(500))).toContain(`"${'x'.repeat(117)}…"`);
  });

  it('stops at once when the caller aborts', async () => {
    const controller = new AbortController();
    const answer = callAgent(demo, messageEvent(), { allowPrivate: false, signal: controller.signal, demoWordDelayMs: 60_000 });
    expect((await answer.next()).value).toMatchObject({ type: 'status' });
    const next = answer.next();
    controller.abort(new Error('visitor left'));
    await expect(next).rejects.toThrow('visitor left');
  });
});
