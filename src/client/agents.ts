/** `client.agents`: who answers in the widget (name, greeting, colour; a reply webhook or an OpenAI-compatible model). */
import type { Agent, AgentList, AgentTestParams, AgentTestResult, CreateAgentParams, ListParams, UpdateAgentParams } from '../protocol/api.js';
import type { RequestOptions } from './kataven.js';
import { PagePromise } from './pagination.js';
import { APIResource } from './resource.js';
import { ROUTES } from './routes.js';

export class Agents extends APIResource {
  /**
   * Lists agents, newest first. Await it for one page, or iterate it for every agent.
   *
   * @example
   * for await (const agent of client.agents.list()) console.log(agent.id, agent.name, agent.is_default);
   * @see http://127.0.0.1:8787/docs#/agents/get_api_v1_agents (the API reference; every hub serves it at /docs)
   */
  list(params: ListParams = {}, options?: RequestOptions): PagePromise<Agent> {
    const { limit, starting_after } = params;
    return new PagePromise(
      (after) => this.client.request<AgentList>(ROUTES.agents.list, { query: { limit, starting_after: after }, options }),
      starting_after,
    );
  }

  /**
   * Creates an agent. It answers through `webhook_url`, or through `llm` (an OpenAI-compatible model), or,
   * with neither, as the built-in demo agent. `llm.api_key` is write-only: the answer shows `api_key_last4`.
   * `theme` and `locale` set how the widget looks and speaks; a colour the widget must adapt to stay
   * readable is saved and answered with `warnings` (docs/widget.md).
   *
   * @example
   * const agent = await client.agents.create({ name: 'Support', greeting: 'Hi! How can we help?', accent_color: '#0f766e', theme: 'auto', locale: 'de' });
   * for (const w of agent.warnings ?? []) console.warn(w.message);
   * const model = await client.agents.create({ name: 'Ada', llm: { base_url: 'https://api.openai.com/v1', model: 'gpt-4o-mini', api_key: process.env.OPENAI_API_KEY } });
   * @see http://127.0.0.1:8787/docs#/agents/post_api_v1_agents (the API reference; every hub serves it at /docs)
   */
  create(input: CreateAgentParams, options?: RequestOptions): Promise<Agent> {
    return this.client.request(ROUTES.agents.create, { body: input, options });
  }

  /**
   * Fetches one agent.
   *
   * @example
   * const agent = await client.agents.retrieve('agt_…');
   * @see http://127.0.0.1:8787/docs#/agents/get_api_v1_agents__id_ (the API reference; every hub serves it at /docs)
   */
  retrieve(id: string, options?: RequestOptions): Promise<Agent> {
    return this.client.request(ROUTES.agents.retrieve, { id, options });
  }

  /**
   * Changes an agent; widgets pick the change up at their next handshake. `webhook_url: null` removes the
   * webhook, `llm: null` the model; setting one removes the other. `llm` is replaced whole, except that
   * without `api_key` the stored key is kept (refused when `base_url` moves to another origin).
   *
   * @example
   * await client.agents.update('agt_…', { greeting: 'Hello again!' });
   * await client.agents.update('agt_…', { llm: { base_url: 'https://api.openai.com/v1', model: 'gpt-4o' } }); // same key
   * @see http://127.0.0.1:8787/docs#/agents/patch_api_v1_agents__id_ (the API reference; every hub serves it at /docs)
   */
  update(id: string, patch: UpdateAgentParams, options?: RequestOptions): Promise<Agent> {
    return this.client.request(ROUTES.agents.update, { id, body: patch, options });
  }

  /**
   * Replaces the agent's webhook secret, at once: the hub's next request to the agent is signed with the
   * new `webhook_secret`. Deploy it to your agent right away.
   *
   * @example
   * const { webhook_secret } = await client.agents.rotateWebhookSecret('agt_…');
   * @see http://127.0.0.1:8787/docs#/agents/post_api_v1_agents__id__webhook_secret_rotate (the API reference; every hub serves it at /docs)
   */
  rotateWebhookSecret(id: string, options?: RequestOptions): Promise<Agent> {
    return this.client.request(ROUTES.agents.rotateWebhookSecret, { id, options });
  }

  /**
   * Sends the agent a signed test `message.created` (a conversation that exists nowhere) and answers what
   * it replied, or why it failed, with the detail a visitor never sees. Nothing is stored.
   *
   * @example
   * const { outcome, reply, failure } = await client.agents.test('agt_…', { text: 'Are you there?' });
   * @see http://127.0.0.1:8787/docs#/agents/post_api_v1_agents__id__test (the API reference; every hub serves it at /docs)
   */
  test(id: string, params: AgentTestParams = {}, options?: RequestOptions): Promise<AgentTestResult> {
    return this.client.request(ROUTES.agents.test, { id, body: params, options });
  }
}
