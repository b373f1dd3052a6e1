/**
 * Request and response schemas of the Hub API (TypeBox). The one source for the hub's validation,
 * serialisation and OpenAPI document, and (type-only) for the Node client's types.
 */
import { Type, type Static } from 'typebox';
import { MAX_AGENT_REPLY_LENGTH } from './agent-webhook.js';
import { CONSOLE_CSRF_HEADER } from './console.js';
import { AGENT_FAILURE_TYPES } from './conversation-events.js';
import { DEFAULT_IDENTITY_GRACE_SECONDS, MAX_IDENTITY_GRACE_SECONDS } from './identity.js';
import { LANGUAGES, THEMES } from './languages.js';
import { MAX_MESSAGE_LENGTH } from './widget-api.js';

const Id = Type.String({ minLength: 1, maxLength: 64 });
// `examples` only where a generated "string" would mislead: /docs shows them as each operation's
// example request and response.
const WidgetKeyId = Type.String({ minLength: 1, maxLength: 64, examples: ['wk_m5x2k9q1a7f3h8c0v4n6r2t'] });
const AgentId = Type.String({ minLength: 1, maxLength: 64, examples: ['agt_m5x2k8z0b1d4g7j9l2p5s8u'] });
const Timestamp = Type.String({ description: 'ISO 8601 UTC timestamp', examples: ['2025-06-01T09:30:00.000Z'] });
const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);
const Name = Type.String({ minLength: 1, maxLength: 100, examples: ['Acme'] });
const Allowlist = Type.Array(Type.String({ maxLength: 300 }), {
  description: 'Origins allowed to embed the widget. Replaces the whole list on update.',
  examples: [['acme.example', '*.acme.example']],
});
const AgentRef = Type.Union([AgentId, Type.Null()], {
  description: "An agent of the same account; null means the account's default agent.",
});

const IdentityModeSchema = Type.Union([Type.Literal('off'), Type.Literal('optional'), Type.Literal('required')], {
  description: 'Verified visitors (docs/identity.md). off: visitor tokens are refused; optional: anonymous visitors chat, verified ones carry their identity; required: no conversation without a valid visitor token',
});
const IdentitySecret = Type.String({
  description: 'Signs visitor tokens (HS256, the string itself is the key). Returned once, by the create or update that turns identity on and by each rotation',
  examples: ['idsec_Jx3vQm9TzK2pL8sW4nR7yB1cD6fH0gA5eU2iO9kM3qZ'],
});
// An enum rather than a union of literals: a wrong value is refused with the list of right ones.
const Mode = Type.Enum(['live', 'test'], {
  description: 'live: pk_live_, for sites; test: pk_test_, works only on localhost, 127.0.0.1 and [::1] (any port) whatever the allowlist',
});

export const ErrorSchema = Type.Object({
  error: Type.Object({ type: Type.String(), message: Type.String() }),
});

export const WidgetKeySchema = Type.Object({
  id: WidgetKeyId,
  name: Type.String({ examples: ['Acme'] }),
  key_last8: Type.String({ examples: ['x7Kp2QaZ'] }),
  domain_allowlist: Type.Array(Type.String(), { examples: [['acme.example', '*.acme.example']] }),
  agent_id: Type.Union([AgentId, Type.Null()]),
  created_at: Timestamp,
  updated_at: Timestamp,
  last_used_at: NullableTimestamp,
  disabled_at: NullableTimestamp,
  identity: IdentityModeSchema,
  previous_identity_secret_expires_at: Type.Union([Timestamp, Type.Null()], {
    description: 'After an identity-secret rotation: until when the previous secret still verifies tokens; null when it no longer does',
  }),
  mode: Mode,
});
export type WidgetKey = Static<typeof WidgetKeySchema>;

/** A key with its identity secret: the answer of a write that turned identity on, and of a rotation. */
export const WidgetKeyWithIdentitySecretSchema = Type.Intersect([WidgetKeySchema, Type.Object({ identity_secret: Type.Optional(IdentitySecret) })]);
export type WidgetKeyWithIdentitySecret = Static<typeof WidgetKeyWithIdentitySecretSchema>;

export const CreatedWidgetKeySchema = Type.Intersect([
  WidgetKeySchema,
  Type.Object({
    key: Type.String({ description: 'The plaintext pk_live_ (or pk_test_) key. Returned once, never again.', examples: ['pk_live_4eC39HqLyjWDarjtT1zdp7dc2bG5nM8rx7Kp2QaZ'] }),
    identity_secret: Type.Optional(IdentitySecret),
  }),
]);
export type CreatedWidgetKey = Static<typeof CreatedWidgetKeySchema>;

export const CreateWidgetKeyBody = Type.Object(
  {
    name: Name,
    domain_allowlist: Type.Optional(Allowlist),
    agent_id: Type.Optional(AgentRef),
    mode: Type.Optional(Type.Enum(['live', 'test'], { description: 'live (default) or test; fixed for the life of the key' })),
    identity: Type.Optional(IdentityModeSchema),
  },
  { additionalProperties: false },
);
export type CreateWidgetKeyParams = Static<typeof CreateWidgetKeyBody>;

export const UpdateWidgetKeyBody = Type.Object(
  {
    name: Type.Optional(Name),
    domain_allowlist: Type.Optional(Allowlist),
    agent_id: Type.Optional(AgentRef),
    disabled: Type.Optional(Type.Boolean({ description: 'true sets disabled_at once; false clears it' })),
    identity: Type.Optional(IdentityModeSchema),
  },
  { additionalProperties: false },
);
export type UpdateWidgetKeyParams = Static<typeof UpdateWidgetKeyBody>;

export const DeletedWidgetKeySchema = Type.Object({
  id: WidgetKeyId,
  deleted: Type.Boolean({ description: 'true: removed for good; false: it had been used, so it was disabled' }),
  disabled_at: Type.Optional(Timestamp),
});
export type DeletedWidgetKey = Static<typeof DeletedWidgetKeySchema>;

export const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    starting_after: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type ListParams = Static<typeof ListQuery>;

export const IdParams = Type.Object({ id: Id });

export const RotateIdentitySecretBody = Type.Object(
  {
    grace_period_s: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_IDENTITY_GRACE_SECONDS,
        default: DEFAULT_IDENTITY_GRACE_SECONDS,
        description: 'Seconds the previous identity secret keeps verifying tokens (default 86400, 24 h); 0 stops it at once',
      }),
    ),
  },
  { additionalProperties: false },
);
export type RotateIdentitySecretParams = Static<typeof RotateIdentitySecretBody>;

export const WidgetKeyListSchema = Type.Object({
  data: Type.Array(WidgetKeySchema),
  has_more: Type.Boolean(),
});
export type WidgetKeyList = Static<typeof WidgetKeyListSchema>;

/** The most recent refused origins a key keeps (older ones are trimmed), and so the list's length. */
export const MAX_BLOCKED_ORIGINS = 100;

export const BlockedOriginSchema = Type.Object({
  origin: Type.String({
    description: 'The Origin header as seen, in canonical form when it parses; "" when the request had none',
    examples: ['https://shop.acme.example'],
  }),
  type: Type.String({ description: "The handshake's refusal (error.type)", examples: ['origin_not_allowed'] }),
  count: Type.Integer({ minimum: 1, description: 'Refused handshakes from this origin (counted per process, written at most once a minute)' }),
  first_seen_at: Timestamp,
  last_seen_at: Timestamp,
});
export type BlockedOrigin = Static<typeof BlockedOriginSchema>;

export const BlockedOriginListSchema = Type.Object({
  data: Type.Array(BlockedOriginSchema, { description: `Newest (last_seen_at) first; at most ${MAX_BLOCKED_ORIGINS}, kept 30 days` }),
  has_more: Type.Boolean(),
});
export type BlockedOriginList = Static<typeof BlockedOriginListSchema>;

export const CheckOriginBody = Type.Object(
  { origin: Type.String({ maxLength: 2000, description: 'scheme://host[:port], as a browser sends it', examples: ['https://shop.acme.example'] }) },
  { additionalProperties: false },
);
export type CheckOriginParams = Static<typeof CheckOriginBody>;

export const CheckOriginResultSchema = Type.Object({
  allowed: Type.Boolean({ description: 'Whether a handshake from this origin would pass the key and allowlist checks now' }),
  matched_entry: Type.Union([Type.String({ examples: ['*.acme.example'] }), Type.Null()], { description: 'The allowlist entry that admits it' }),
  reason: Type.Union([Type.String(), Type.Null()], { description: "When refused, the handshake's own message" }),
  suggested_entry: Type.Union([Type.String({ examples: ['shop.acme.example'] }), Type.Null()], {
    description: 'The normalised allowlist entry that would admit it, when adding one would help',
  }),
});
export type CheckOriginResult = Static<typeof CheckOriginResultSchema>;

const AccentColor = Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: '#rrggbb', examples: ['#2f6feb'] });
const ThemeSchema = Type.Enum(THEMES, {
  description: "The widget's colours: light, dark, or auto (the visitor's prefers-color-scheme). Default auto",
});
const LocaleSchema = Type.Union([Type.Enum(LANGUAGES), Type.Null()], {
  description: "The widget's language (its own words; the greeting stays as written). null: the visitor's browser language, else en",
});
const WarningSchema = Type.Object(
  {
    field: Type.String({ examples: ['accent_color'] }),
    message: Type.String({ examples: ['accent_color #f59e0b has 2.15:1 contrast against a white page (under 3:1): the widget outlines its launcher to keep it visible; a darker colour needs no outline'] }),
  },
  { description: 'Saved, but worth knowing: what the widget does about it and what to change' },
);
const Greeting = Type.String({ maxLength: 500, examples: ['Hi! Ask us anything about your order.'] });
const WebhookUrl = Type.Union([Type.String({ maxLength: 2000, examples: ['https://agent.acme.example/kataven'] }), Type.Null()], {
  description: 'http(s) URL that receives each visitor message, signed (docs/agents.md); null, with no llm either, uses the built-in demo agent',
});

const LlmBaseUrl = Type.String({
  minLength: 1,
  maxLength: 2000,
  description: 'Root of an OpenAI-compatible API, usually ending in /v1: the hub POSTs {base_url}/chat/completions',
  examples: ['https://api.openai.com/v1'],
});
const LlmModel = Type.String({ minLength: 1, maxLength: 200, examples: ['gpt-4o-mini'] });
const SystemPrompt = Type.String({ maxLength: 10_000, examples: ['You answer for Acme Outdoor. Be brief and friendly.'] });

/** What an owner writes; `api_key` is write-only (responses carry `api_key_last4`). */
export const LlmBody = Type.Object(
  {
    base_url: LlmBaseUrl,
    model: LlmModel,
    api_key: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 1000 }), Type.Null()], {
      description:
        'Write-only, sent as Authorization: Bearer. On update, leave it out to keep the stored key (refused when base_url moves to another origin), or null for none',
      examples: ['sk-proj-…'],
    })),
    system_prompt: Type.Optional(Type.Union([SystemPrompt, Type.Null()])),
  },
  { additionalProperties: false },
);
export type LlmParams = Static<typeof LlmBody>;

const LlmRef = Type.Union([LlmBody, Type.Null()], {
  description: 'An OpenAI-compatible model that answers instead of a webhook; null removes it. Give llm or webhook_url, not both',
});

export const LlmSchema = Type.Object({
  base_url: Type.String({ examples: ['https://api.openai.com/v1'] }),
  model: Type.String({ examples: ['gpt-4o-mini'] }),
  system_prompt: Type.Union([Type.String(), Type.Null()]),
  api_key_last4: Type.Union([Type.String({ examples: ['x7Kq'] }), Type.Null()], {
    description: 'The stored key\'s last 4 characters ("" for a key shorter than 8); null when there is none',
  }),
});
export type Llm = Static<typeof LlmSchema>;

export const AgentSchema = Type.Object({
  id: AgentId,
  name: Type.String({ examples: ['Acme'] }),
  greeting: Greeting,
  accent_color: Type.String({ examples: ['#2f6feb'] }),
  theme: ThemeSchema,
  locale: LocaleSchema,
  webhook_url: Type.Union([Type.String({ examples: ['https://agent.acme.example/kataven'] }), Type.Null()]),
  webhook_secret: Type.String({
    description: 'Signs webhook requests per Standard Webhooks (webhook-signature): whsec_ + base64 of the key bytes',
    examples: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
  }),
  llm: Type.Union([LlmSchema, Type.Null()]),
  is_default: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
  warnings: Type.Optional(Type.Array(WarningSchema, { description: 'Only in the answer to a create or update, and only when there is something to say' })),
});
export type Agent = Static<typeof AgentSchema>;

export const CreateAgentBody = Type.Object(
  {
    name: Name,
    greeting: Type.Optional(Greeting),
    accent_color: Type.Optional(AccentColor),
    theme: Type.Optional(ThemeSchema),
    locale: Type.Optional(LocaleSchema),
    webhook_url: Type.Optional(WebhookUrl),
    llm: Type.Optional(LlmRef),
  },
  { additionalProperties: false },
);
export type CreateAgentParams = Static<typeof CreateAgentBody>;

/** Setting `webhook_url` removes `llm` and the other way round: an agent answers one way. */
export const UpdateAgentBody = Type.Object(
  {
    name: Type.Optional(Name),
    greeting: Type.Optional(Greeting),
    accent_color: Type.Optional(AccentColor),
    theme: Type.Optional(ThemeSchema),
    locale: Type.Optional(LocaleSchema),
    webhook_url: Type.Optional(WebhookUrl),
    llm: Type.Optional(LlmRef),
  },
  { additionalProperties: false },
);
export type UpdateAgentParams = Static<typeof UpdateAgentBody>;

export const AgentListSchema = Type.Object({ data: Type.Array(AgentSchema), has_more: Type.Boolean() });
export type AgentList = Static<typeof AgentListSchema>;

// Conversations: what visitors and agents said in the widget, for the owner to read, answer and erase.

const ConversationId = Type.String({ minLength: 1, maxLength: 64, examples: ['conv_Q2xp3n8sVb1kLx8MzT1nR5yWc0aH'] });
const MessageRoleSchema = Type.Union([Type.Literal('visitor'), Type.Literal('agent'), Type.Literal('person')], {
  description: 'visitor: the person on the site; agent: the agent (webhook, model or demo); person: a human who took over (author_name says who)',
});
const MessageStatusSchema = Type.Union([Type.Literal('streaming'), Type.Literal('completed'), Type.Literal('failed')], {
  description: 'streaming: an agent reply still being written; failed: it ended in an error (the partial text is kept)',
});

export const ConversationMessageSchema = Type.Object({
  id: Type.String({ examples: ['msg_m5x2ka0c3e5h8k1n4q7t0w3z'] }),
  role: MessageRoleSchema,
  text: Type.String({ examples: ['Sorry for the wait: your order shipped this morning.'] }),
  status: MessageStatusSchema,
  failure_type: Type.Union([Type.Enum(AGENT_FAILURE_TYPES), Type.Null()], {
    description: 'Why a failed reply failed (the table in docs/agents.md); null unless status is failed',
  }),
  author_name: Type.Union([Type.String({ examples: ['Sam'] }), Type.Null()]),
  created_at: Timestamp,
});
export type ConversationMessage = Static<typeof ConversationMessageSchema>;

export const ConversationSchema = Type.Object({
  id: ConversationId,
  widget_key_id: WidgetKeyId,
  agent_id: AgentId,
  origin: Type.String({ description: 'The site the visitor wrote from, verified by the handshake', examples: ['https://acme.example'] }),
  visitor_id: Type.Union([Type.String({ examples: ['user_1842'] }), Type.Null()], {
    description: "The verified visitor's id (the visitor token's sub, docs/identity.md); null for an anonymous visitor",
  }),
  mode: Mode,
  taken_over_by: Type.Union([Type.String({ examples: ['Sam'] }), Type.Null()], {
    description: 'The person answering instead of the agent (PATCH this to take over or hand back); null: the agent answers',
  }),
  created_at: Timestamp,
  last_message_at: NullableTimestamp,
  message_count: Type.Integer({ minimum: 0 }),
});
export type Conversation = Static<typeof ConversationSchema>;

export const ConversationWithMessagesSchema = Type.Intersect([
  ConversationSchema,
  Type.Object({ messages: Type.Array(ConversationMessageSchema, { description: 'Every message, oldest first' }) }),
]);
export type ConversationWithMessages = Static<typeof ConversationWithMessagesSchema>;

export const ConversationListSchema = Type.Object({ data: Type.Array(ConversationSchema), has_more: Type.Boolean() });
export type ConversationList = Static<typeof ConversationListSchema>;

export const ListConversationsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    starting_after: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'The id of the last conversation of the previous page' })),
    widget_key_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Only the conversations of this widget key' })),
    visitor_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Only the conversations of this verified visitor (the visitor token\'s sub)' })),
  },
  { additionalProperties: false },
);
export type ListConversationsParams = Static<typeof ListConversationsQuery>;

/** A person's name as the visitor's widget shows it: who wrote a reply, who answers. */
const personName = (options: { description?: string } = {}) => Type.String({ minLength: 1, maxLength: 100, examples: ['Sam'], ...options });
/** A person's name, or null for the agent: who answers a conversation. */
const answerer = (description: string) => Type.Union([personName(), Type.Null()], { description });

export const CreateConversationMessageBody = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: MAX_AGENT_REPLY_LENGTH, description: 'Markdown, as an agent reply', examples: ['Sorry for the wait: your order shipped this morning.'] }),
    author_name: Type.Optional(personName({
      description: 'Given: a person who took over writes (role person), shown by this name. Absent: the agent answers (role agent)',
    })),
  },
  { additionalProperties: false },
);
export type CreateConversationMessageParams = Static<typeof CreateConversationMessageBody>;

export const UpdateConversationBody = Type.Object(
  {
    taken_over_by: answerer("A person's name: they take over, and the agent is not called for the visitor's messages until null hands the conversation back"),
    if_taken_over_by: Type.Optional(answerer(
      'Change it only if this person answers now (null: only if the agent does) or already is what taken_over_by asks; else 409 takeover_conflict naming who does: two people taking over at once cannot both believe they answer',
    )),
  },
  { additionalProperties: false },
);
export type UpdateConversationParams = Static<typeof UpdateConversationBody>;

export const DeletedConversationSchema = Type.Object({
  id: ConversationId,
  deleted: Type.Literal(true, { description: 'The conversation and every message are gone for good (not soft-deleted)' }),
});
export type DeletedConversation = Static<typeof DeletedConversationSchema>;

/** How long the previous secret keys keep working after a rotation, unless the request says otherwise. */
export const SECRET_KEY_GRACE_DEFAULT_S = 86_400;
const SECRET_KEY_GRACE_MAX_S = 30 * 86_400;

export const RotateSecretKeyBody = Type.Object(
  {
    grace_period_s: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: SECRET_KEY_GRACE_MAX_S,
        default: SECRET_KEY_GRACE_DEFAULT_S,
        description: 'Seconds the previous keys keep working (default 86400, 24 h); 0 revokes them at once',
      }),
    ),
  },
  { additionalProperties: false },
);
export type RotateSecretKeyParams = Static<typeof RotateSecretKeyBody>;

export const RotatedSecretKeySchema = Type.Object({
  secret_key: Type.String({ description: 'The new sk_live_ key. Returned once, never again.', examples: ['sk_live_8Hq2LmZx4eC39HqLyjWDarjtT1zdp7dc2bG5nM'] }),
  key_last8: Type.String({ examples: ['2bG5nM8r'] }),
  previous_keys_expire_at: Type.String({ description: "When the account's previous keys stop working", examples: ['2025-06-02T09:30:00.000Z'] }),
});
export type RotatedSecretKey = Static<typeof RotatedSecretKeySchema>;

// Checks the console (or any client) runs before a write: the same rules, no write.

export const ValidateAllowlistBody = Type.Object({ domain_allowlist: Allowlist }, { additionalProperties: false });
export type ValidateAllowlistParams = Static<typeof ValidateAllowlistBody>;

export const AllowlistValidationSchema = Type.Object({
  valid: Type.Boolean({ description: 'true: a create or update with this list would be accepted' }),
  error: Type.Union([Type.String(), Type.Null()], { description: 'What is wrong with the list as a whole (too many entries); null otherwise' }),
  entries: Type.Array(
    Type.Object({
      entry: Type.String({ examples: ['Shop.Example.com/'] }),
      normalized: Type.Union([Type.String({ examples: ['shop.example.com'] }), Type.Null()], { description: 'The form the hub would store; null when refused' }),
      error: Type.Union([Type.String(), Type.Null()], { description: 'The message a create or update would answer for this entry; null when accepted' }),
    }),
    { description: 'One per entry given, in order' },
  ),
});
export type AllowlistValidation = Static<typeof AllowlistValidationSchema>;

export const AgentTestBody = Type.Object(
  { text: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_MESSAGE_LENGTH, description: 'The visitor message to send (a default sentence when absent)', examples: ['Hello, is this working?'] })) },
  { additionalProperties: false },
);
export type AgentTestParams = Static<typeof AgentTestBody>;

export const AgentTestResultSchema = Type.Object({
  outcome: Type.Union([Type.Literal('replied'), Type.Literal('accepted'), Type.Literal('failed')], {
    description: 'replied: the agent answered (reply holds it); accepted: it answered 202 (a later reply to a test conversation is refused); failed: see failure',
  }),
  reply: Type.String({ description: 'The reply text, as much as arrived', examples: ['Yes, I can hear you.'] }),
  statuses: Type.Array(Type.String(), { description: 'Status lines the agent sent while answering' }),
  failure: Type.Union([
    Type.Object({
      type: Type.String({ examples: ['agent_timeout'] }),
      message: Type.String({ description: 'What a visitor would have seen' }),
      detail: Type.String({ description: 'For the owner: status code, host, the agent\'s own words' }),
    }),
    Type.Null(),
  ]),
});
export type AgentTestResult = Static<typeof AgentTestResultSchema>;

// The console's session (src/hub/console/routes.ts): sign in with the secret key, who am I, sign out.

export const ConsoleSignInBody = Type.Object(
  { secret_key: Type.String({ minLength: 1, maxLength: 200, description: 'The account\'s sk_live_ key. Exchanged, never stored by the browser', examples: ['sk_live_…'] }) },
  { additionalProperties: false },
);
export type ConsoleSignIn = Static<typeof ConsoleSignInBody>;

export const ConsoleSessionSchema = Type.Object({
  account: Type.Object({ id: Type.String({ examples: ['acct_m5x2k9q1a7f3h8c0v4n6r2t'] }), name: Type.String({ examples: ['Acme'] }) }),
  csrf_token: Type.String({ description: `Send it as ${CONSOLE_CSRF_HEADER} on every write made with the session cookie` }),
  expires_at: Type.String({ description: 'ISO 8601 UTC timestamp: the session ends then' }),
  hub_url: Type.String({ description: 'The hub\'s public URL, for install tags', examples: ['https://hub.example.com'] }),
  loader: Type.Union([Type.Object({ hash: Type.String(), integrity: Type.String() }), Type.Null()], {
    description: 'The built loader this hub serves at /widget/v1/loader/{hash}.js, for the SRI-pinned tag; null when not built',
  }),
});
export type ConsoleSession = Static<typeof ConsoleSessionSchema>;

export const ConsoleSignedOutSchema = Type.Object({ signed_out: Type.Literal(true) });
