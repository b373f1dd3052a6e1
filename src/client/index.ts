/**
 * The `kataven` package: the typed Node client for the Hub API. `import { Kataven } from 'kataven'`.
 * Only what a caller names is exported; the route table (routes.ts) is the client's own business.
 */
export { Kataven, VERSION, type ClientOptions, type RequestOptions } from './kataven.js';
export {
  APIError, APIConnectionError, APIConnectionTimeoutError, AuthenticationError, BadRequestError, ConflictError,
  InternalServerError, NotFoundError, PermissionDeniedError, RateLimitError, UnprocessableEntityError,
} from './errors.js';
export { PagePromise, type Page } from './pagination.js';
export { WebhookVerificationError, type VerifyOptions, type WebhookHeaders, type WebhookVerificationReason } from './webhooks.js';
export type { MessageCreatedEvent } from '../protocol/agent-webhook.js';
export type { WidgetKeys } from './widget-keys.js';
export type { Agents } from './agents.js';
export type { ConversationMessages, Conversations } from './conversations.js';
export type { SecretKeys } from './secret-keys.js';
export type {
  Agent, AgentList, BlockedOrigin, BlockedOriginList, CheckOriginParams, CheckOriginResult, CreateAgentParams, CreatedWidgetKey, CreateWidgetKeyParams, DeletedWidgetKey, ListParams, Llm, LlmParams,
  RotatedSecretKey, RotateSecretKeyParams, UpdateAgentParams, UpdateWidgetKeyParams, WidgetKey, WidgetKeyList,
  Conversation, ConversationList, ConversationMessage, ConversationWithMessages, CreateConversationMessageParams, DeletedConversation,
  ListConversationsParams,
} from '../protocol/api.js';
export type { ErrorBody } from '../protocol/errors.js';
