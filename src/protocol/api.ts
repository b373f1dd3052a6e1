/**
 * Request and response schemas of the Hub API (TypeBox). The one source for the hub's validation,
 * serialisation and OpenAPI document, and (type-only) for the Node client's types.
 */
import { Type, type Static } from 'typebox';

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
});
export type WidgetKey = Static<typeof WidgetKeySchema>;

export const CreatedWidgetKeySchema = Type.Intersect([
  WidgetKeySchema,
  Type.Object({ key: Type.String({ description: 'The plaintext pk_live_ key. Returned once, never again.', examples: ['pk_live_4eC39HqLyjWDarjtT1zdp7dc2bG5nM8rx7Kp2QaZ'] }) }),
]);
export type CreatedWidgetKey = Static<typeof CreatedWidgetKeySchema>;

export const CreateWidgetKeyBody = Type.Object(
  { name: Name, domain_allowlist: Type.Optional(Allowlist), agent_id: Type.Optional(AgentRef) },
  { additionalProperties: false },
);
export type CreateWidgetKeyParams = Static<typeof CreateWidgetKeyBody>;

export const UpdateWidgetKeyBody = Type.Object(
  {
    name: Type.Optional(Name),
    domain_allowlist: Type.Optional(Allowlist),
    agent_id: Type.Optional(AgentRef),
    disabled: Type.Optional(Type.Boolean({ description: 'true sets disabled_at once; false clears it' })),
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

export const WidgetKeyListSchema = Type.Object({
  data: Type.Array(WidgetKeySchema),
  has_more: Type.Boolean(),
});
export type WidgetKeyList = Static<typeof WidgetKeyListSchema>;

const AccentColor = Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: '#rrggbb', examples: ['#2f6feb'] });
const Greeting = Type.String({ maxLength: 500, examples: ['Hi! Ask us anything about your order.'] });
const WebhookUrl = Type.Union([Type.String({ maxLength: 2000, examples: ['https://agent.acme.example/kataven'] }), Type.Null()], {
  description: 'http(s) URL that receives each visitor message and answers { "reply": "…" }; null uses the built-in demo agent',
});

export const AgentSchema = Type.Object({
  id: AgentId,
  name: Type.String({ examples: ['Acme'] }),
  greeting: Greeting,
  accent_color: Type.String({ examples: ['#2f6feb'] }),
  webhook_url: Type.Union([Type.String({ examples: ['https://agent.acme.example/kataven'] }), Type.Null()]),
  webhook_secret: Type.String({ description: 'Signs webhook requests (X-Kataven-Signature)', examples: ['whsec_3q9Vb2kLx8MzT1nR5yWc0aHd7Uf4Jg6E'] }),
  is_default: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Agent = Static<typeof AgentSchema>;

export const CreateAgentBody = Type.Object(
  {
    name: Name,
    greeting: Type.Optional(Greeting),
    accent_color: Type.Optional(AccentColor),
    webhook_url: Type.Optional(WebhookUrl),
  },
  { additionalProperties: false },
);
export type CreateAgentParams = Static<typeof CreateAgentBody>;

export const UpdateAgentBody = Type.Object(
  {
    name: Type.Optional(Name),
    greeting: Type.Optional(Greeting),
    accent_color: Type.Optional(AccentColor),
    webhook_url: Type.Optional(WebhookUrl),
  },
  { additionalProperties: false },
);
export type UpdateAgentParams = Static<typeof UpdateAgentBody>;

export const AgentListSchema = Type.Object({ data: Type.Array(AgentSchema), has_more: Type.Boolean() });
export type AgentList = Static<typeof AgentListSchema>;

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
