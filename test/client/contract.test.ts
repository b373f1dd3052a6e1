/**
 * The client and the Hub API cannot drift: the route table the client sends from (ROUTES) is checked
 * against the hub's own /api/v1/openapi.json, and every client method is checked to send its route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type Route } from '../../src/client/routes.js';
import type {
  AgentTestParams, CreateAgentParams, CreateConversationMessageParams, CreateWidgetKeyParams, ListConversationsParams, UpdateAgentParams, UpdateConversationParams,
  UpdateWidgetKeyParams,
} from '../../src/protocol/api.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { visitorConversation } from '../hub/visitor-conversation.js';
import { clientFor, recordingFetch } from './helpers.js';

interface Operation {
  parameters?: { in: string; name: string }[];
  requestBody?: { content: { 'application/json': { schema: { properties: Record<string, unknown>; required?: string[] } } } };
}

const routes = Object.entries(ROUTES).flatMap(([resource, methods]) =>
  Object.entries(methods as Record<string, Route>).map(([method, route]) => ({ name: `${resource}.${method}`, route })),
);

describe('client ↔ OpenAPI contract', () => {
  let hub: TestHub;
  let paths: Record<string, Record<string, Operation>>;
  beforeAll(async () => {
    hub = await startTestHub('sqlite');
    paths = (await (await fetch(`${hub.url}/api/v1/openapi.json`)).json()).paths;
  });
  afterAll(() => hub.close());

  const operation = (route: Route) => paths[route.path]?.[route.method.toLowerCase()];

  it.each(routes)('$name: method and path exist', ({ route }) => {
    expect(operation(route), `${route.method} ${route.path}`).toBeDefined();
  });

  it.each(routes)('$name: path parameters match', ({ route }) => {
    const inPath = (operation(route)?.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
    expect(inPath).toEqual([...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
  });

  it.each(routes)('$name: query parameters exist', ({ route }) => {
    const query = (operation(route)?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    expect(query.sort()).toEqual([...(route.query ?? [])].sort());
  });

  it.each(routes)('$name: body fields exist, and the required ones are sent', ({ route }) => {
    const schema = operation(route)?.requestBody?.content['application/json'].schema;
    if (!route.body) return expect(schema).toBeUndefined();
    expect(Object.keys(schema?.properties ?? {}).sort()).toEqual([...route.body].sort());
    for (const field of schema?.required ?? []) expect(route.body).toContain(field);
  });

  it('covers every client method with a route, and every route with a method', () => {
    const client = clientFor(hub) as unknown as Record<string, object>;
    // `conversations.messages` is the resource at client.conversations.messages.
    const resourceAt = (path: string) => path.split('.').reduce((at, name) => (at as Record<string, object>)[name]!, client as object);
    for (const [resource, methods] of Object.entries(ROUTES)) {
      const names = Object.getOwnPropertyNames(Object.getPrototypeOf(resourceAt(resource))).filter((n) => n !== 'constructor');
      expect(names.sort(), resource).toEqual(Object.keys(methods).sort());
    }
  });

  it('sends each method as its route says, with every body field', async () => {
    const recorder = recordingFetch();
    const client = clientFor(hub, { fetch: recorder.fetch });
    const agentId = hub.account.agent_id;
    // Required<…>: the compiler makes these inputs name every field the types allow.
    const agentInput: Required<CreateAgentParams> & Required<UpdateAgentParams> = { name: 'C', greeting: 'Hi', accent_color: '#123456', theme: 'dark', locale: 'de', webhook_url: null, llm: null };
    const keyCreate: Required<CreateWidgetKeyParams> = { name: 'C', domain_allowlist: ['c.example'], agent_id: null, identity: 'optional', mode: 'live' };
    // A key's mode is fixed at creation: the update takes every other field.
    const keyUpdate: Required<UpdateWidgetKeyParams> = { name: 'C', domain_allowlist: ['c.example'], agent_id: null, identity: 'optional', disabled: false };
    const reply: Required<CreateConversationMessageParams> = { text: 'Hello', author_name: 'Sam' };
    const agentTest: Required<AgentTestParams> = { text: 'Are you there?' };
    const takeOver: Required<UpdateConversationParams> = { taken_over_by: 'Sam', if_taken_over_by: null };
    const conversation = () => visitorConversation(hub.url, hub.account.secret_key).then((c) => c.id);
    const listConversations = async (): Promise<Required<ListConversationsParams>> => {
      const { id, widgetKeyId } = await visitorConversation(hub.url, hub.account.secret_key);
      return { limit: 1, starting_after: id, widget_key_id: widgetKeyId, visitor_id: 'user_1' };
    };
    const calls: [string, () => Promise<unknown>][] = [
      ['agents.list', () => client.agents.list()],
      ['agents.create', () => client.agents.create(agentInput)],
      ['agents.retrieve', () => client.agents.retrieve(agentId)],
      ['agents.update', () => client.agents.update(agentId, agentInput)],
      ['widgetKeys.list', () => client.widgetKeys.list({ limit: 1, starting_after: 'wk_zzzzzzzzz' })],
      ['widgetKeys.create', () => client.widgetKeys.create(keyCreate)],
      ['widgetKeys.update', async () => client.widgetKeys.update((await client.widgetKeys.create(keyCreate)).id, keyUpdate)],
      ['widgetKeys.delete', async () => client.widgetKeys.delete((await client.widgetKeys.create(keyCreate)).id)],
      ['widgetKeys.rotateIdentitySecret', async () => client.widgetKeys.rotateIdentitySecret((await client.widgetKeys.create(keyCreate)).id, { grace_period_s: 60 })],
      ['widgetKeys.blockedOrigins', async () => client.widgetKeys.blockedOrigins((await client.widgetKeys.create(keyCreate)).id)],
      ['widgetKeys.checkOrigin', async () => client.widgetKeys.checkOrigin((await client.widgetKeys.create(keyCreate)).id, 'https://c.example')],
      ['conversations.list', async () => client.conversations.list(await listConversations())],
      ['conversations.retrieve', async () => client.conversations.retrieve(await conversation())],
      ['conversations.update', async () => client.conversations.update(await conversation(), takeOver)],
      ['conversations.del', async () => client.conversations.del(await conversation())],
      ['conversations.messages.create', async () => client.conversations.messages.create(await conversation(), reply)],
      ['agents.rotateWebhookSecret', () => client.agents.rotateWebhookSecret(agentId)],
      ['agents.test', () => client.agents.test(agentId, agentTest)],
      ['widgetKeys.validateAllowlist', () => client.widgetKeys.validateAllowlist(['c.example'])],
      // Last: the key the other calls use keeps working for the grace period anyway.
      ['secretKeys.rotate', () => client.secretKeys.rotate({ grace_period_s: 3600 })],
    ];
    expect(calls.map(([name]) => name).sort()).toEqual(routes.map((r) => r.name).sort());
    for (const [name, call] of calls) {
      const { route } = routes.find((r) => r.name === name)!;
      await call();
      const sent = recorder.calls.at(-1)!;
      expect(`${sent.method} ${sent.url.pathname}`, name).toMatch(new RegExp(`^${route.method} ${route.path.replace('{id}', '[^/]+')}$`));
      expect(Object.keys((sent.body as object | undefined) ?? {}).sort(), name).toEqual([...(route.body ?? [])].sort());
      expect([...sent.url.searchParams.keys()].every((k) => route.query?.includes(k)), name).toBe(true);
    }
  });

  it('the hub honours Idempotency-Key on widget key creates, which the client sends', () => {
    const headers = (operation(ROUTES.widgetKeys.create)?.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name);
    expect(headers).toContain('idempotency-key');
  });

  it('the hub sends the request id the errors carry on a success too', async () => {
    const res = await fetch(`${hub.url}/api/v1/agents`, { headers: { authorization: `Bearer ${hub.account.secret_key}` } });
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
  });
});
