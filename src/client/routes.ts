/**
 * Every Hub API endpoint the client calls, in one table the resources read their method and path from.
 * The contract test (test/client/contract.test.ts) checks this table against the hub's
 * /api/v1/openapi.json, so the client and the API cannot drift apart unnoticed.
 */
import type {
  AgentTestParams, CheckOriginParams, CreateAgentParams, CreateConversationMessageParams, CreateWidgetKeyParams, ListConversationsParams, ListParams, RotateIdentitySecretParams,
  RotateSecretKeyParams, UpdateAgentParams, UpdateConversationParams, UpdateWidgetKeyParams, ValidateAllowlistParams,
} from '../protocol/api.js';

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** OpenAPI-style template: `{id}` is replaced by the encoded id. */
  path: string;
  /** Query parameters the client sends. */
  query?: readonly string[];
  /** Body fields the method accepts (all of its params type). */
  body?: readonly string[];
}

/** Names every field of T once: the compiler rejects a missing or an invented field. */
const fields = <T>(all: { [K in keyof Required<T>]: true }) => Object.keys(all) as (keyof T & string)[];

const listQuery = fields<ListParams>({ limit: true, starting_after: true });

export const ROUTES = {
  widgetKeys: {
    list: { method: 'GET', path: '/api/v1/widget-keys', query: listQuery },
    create: { method: 'POST', path: '/api/v1/widget-keys', body: fields<CreateWidgetKeyParams>({ name: true, domain_allowlist: true, agent_id: true, identity: true, mode: true }) },
    update: {
      method: 'PATCH', path: '/api/v1/widget-keys/{id}',
      body: fields<UpdateWidgetKeyParams>({ name: true, domain_allowlist: true, agent_id: true, disabled: true, identity: true }),
    },
    delete: { method: 'DELETE', path: '/api/v1/widget-keys/{id}' },
    rotateIdentitySecret: {
      method: 'POST', path: '/api/v1/widget-keys/{id}/identity-secret', body: fields<RotateIdentitySecretParams>({ grace_period_s: true }),
    },
    validateAllowlist: { method: 'POST', path: '/api/v1/allowlist/validate', body: fields<ValidateAllowlistParams>({ domain_allowlist: true }) },
    blockedOrigins: { method: 'GET', path: '/api/v1/widget-keys/{id}/blocked-origins' },
    checkOrigin: { method: 'POST', path: '/api/v1/widget-keys/{id}/check-origin', body: fields<CheckOriginParams>({ origin: true }) },
  },
  agents: {
    list: { method: 'GET', path: '/api/v1/agents', query: listQuery },
    create: {
      method: 'POST', path: '/api/v1/agents',
      body: fields<CreateAgentParams>({ name: true, greeting: true, accent_color: true, theme: true, locale: true, webhook_url: true, llm: true }),
    },
    retrieve: { method: 'GET', path: '/api/v1/agents/{id}' },
    update: {
      method: 'PATCH', path: '/api/v1/agents/{id}',
      body: fields<UpdateAgentParams>({ name: true, greeting: true, accent_color: true, theme: true, locale: true, webhook_url: true, llm: true }),
    },
    rotateWebhookSecret: { method: 'POST', path: '/api/v1/agents/{id}/webhook-secret/rotate' },
    test: { method: 'POST', path: '/api/v1/agents/{id}/test', body: fields<AgentTestParams>({ text: true }) },
  },
  secretKeys: {
    rotate: { method: 'POST', path: '/api/v1/secret-keys/rotate', body: fields<RotateSecretKeyParams>({ grace_period_s: true }) },
  },
  conversations: {
    list: { method: 'GET', path: '/api/v1/conversations', query: fields<ListConversationsParams>({ limit: true, starting_after: true, widget_key_id: true, visitor_id: true }) },
    retrieve: { method: 'GET', path: '/api/v1/conversations/{id}' },
    update: { method: 'PATCH', path: '/api/v1/conversations/{id}', body: fields<UpdateConversationParams>({ taken_over_by: true, if_taken_over_by: true }) },
    del: { method: 'DELETE', path: '/api/v1/conversations/{id}' },
  },
  /** A resource under another is named by its path on the client: `client.conversations.messages`. */
  'conversations.messages': {
    create: { method: 'POST', path: '/api/v1/conversations/{id}/messages', body: fields<CreateConversationMessageParams>({ text: true, author_name: true }) },
  },
} as const satisfies Record<string, Record<string, Route>>;
