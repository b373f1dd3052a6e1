/**
 * A test hub whose widget key answers through a webhook agent the test drives (agent-server.ts), with a
 * visitor session from the key's site, and the rate limits out of the way: the setup of the tests of
 * what a turn does (replies, takeover).
 */
import { WIDGET_API } from '../../../src/protocol/widget-api.js';
import type { TestDialect } from '../../helpers/databases.js';
import { startTestHub, type TestHub } from '../../helpers/hub.js';
import { createKey, handshake, widgetCall } from '../../helpers/widget.js';
import { agentServer, type Mode } from './agent-server.js';
import { openEvents } from './events-client.js';

export const ROOMY = { sessionRateLimit: 10_000, messageRateLimitIp: 0, messageRateLimitKey: 0, messageRateLimitConversation: 0, conversationRateLimitIp: 0, conversationRateLimitKey: 0 };

export async function webhookHub(dialect: TestDialect, site: string, mode?: Mode) {
  const hub: TestHub = await startTestHub(dialect, { webhookTimeoutMs: 2_000, ...ROOMY });
  const agent = await agentServer(mode);
  const created = await hub.api('/api/v1/agents', { method: 'POST', body: { name: 'Hooked', webhook_url: agent.url } });
  const key = await createKey(hub, [site], { agent_id: created.body.id });
  const token: string = (await handshake(hub, key.key, `https://${site}`)).body.session_token;

  /** A new conversation on the webhook agent, its event stream open. */
  async function conversation() {
    const id = (await widgetCall(hub, token, 'POST', WIDGET_API.conversations, {})).body.id as string;
    const stream = await openEvents(hub.url, token, id);
    const post = (body: Record<string, unknown>) => widgetCall(hub, token, 'POST', WIDGET_API.messages(id), body);
    const stored = async () => (await widgetCall(hub, token, 'GET', WIDGET_API.messages(id))).body.data.map((m: any) => [m.role, m.text, m.status]);
    const requests = () => agent.requests.filter((r) => r.body.conversation_id === id);
    return { id, stream, post, stored, requests };
  }

  return {
    hub, agent, token, conversation,
    async close() {
      await agent.stop();
      await hub.close();
    },
  };
}
