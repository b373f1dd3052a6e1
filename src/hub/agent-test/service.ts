/**
 * "Send a test event": one message.created to the agent as it is saved, answered to the owner instead of
 * a visitor. The event is a real one in every part an agent checks (shape, Standard Webhooks signature,
 * limits, the network rule at send), with a conversation and widget key that exist nowhere: ids under
 * TEST_EVENT_PREFIX, so an agent can tell, and a 202's later reply to it is refused as unknown.
 */
import { randomBytes } from 'node:crypto';
import type { AgentTestResult } from '../../protocol/api.js';
import type { MessageCreatedEvent } from '../../protocol/agent-webhook.js';
import { ID_PREFIX } from '../../protocol/ids.js';
import { AgentFailure } from '../agent-call/failure.js';
import { findAgent } from '../agents/repo.js';
import { agentNotFound } from '../agents/service.js';
import { askAgent, type AgentCallSettings } from '../conversations/agent.js';
import type { Store } from '../db/index.js';
import { newId, nowIso } from '../ids.js';

export const TEST_EVENT_PREFIX = 'test';
const DEFAULT_TEXT = 'This is a test message from the Kataven console. Please answer it.';

export async function sendTestEvent(store: Store, settings: AgentCallSettings, accountId: string, agentId: string, text = DEFAULT_TEXT): Promise<AgentTestResult> {
  const agent = await findAgent(store.db, accountId, agentId);
  if (!agent) throw agentNotFound(agentId);
  const event: MessageCreatedEvent = {
    type: 'message.created',
    agent_id: agent.id,
    conversation_id: `${ID_PREFIX.conversation}_${TEST_EVENT_PREFIX}_${randomBytes(12).toString('base64url')}`,
    widget_key_id: `${ID_PREFIX.widgetKey}_${TEST_EVENT_PREFIX}`,
    message: { id: newId(ID_PREFIX.message), role: 'visitor', text, created_at: nowIso(), status: 'completed', author_name: null },
    history: [],
    context: { origin: 'https://console.kataven.invalid', reported: { kataven_test: true } },
    visitor: { verified: false },
  };
  const result: AgentTestResult = { outcome: 'replied', reply: '', statuses: [], failure: null };
  const answer = askAgent(agent, event, settings, new AbortController().signal);
  try {
    for (let step = await answer.next(); ; step = await answer.next()) {
      if (step.done) {
        if (step.value.accepted && !result.reply) result.outcome = 'accepted';
        return result;
      }
      if (step.value.type === 'delta') result.reply += step.value.text;
      else result.statuses.push(step.value.text);
    }
  } catch (err) {
    if (!(err instanceof AgentFailure)) throw err;
    return { ...result, outcome: 'failed', failure: { type: err.type, message: err.message, detail: err.detail } };
  }
}
