/**
 * Table shapes as Kysely sees them. Timestamps are ISO 8601 UTC strings in both dialects, so rows read
 * the same from SQLite and PostgreSQL and sort as text. Ids are time-ordered (see ../ids.ts).
 */
import type { Generated } from 'kysely';
import type { Language, Theme } from '../../protocol/languages.js';
import type { AgentFailureType } from '../../protocol/conversation-events.js';
import type { IdentityMode } from '../../protocol/identity.js';
import type { KeyMode } from '../../protocol/keys.js';
import type { MessageRole, MessageStatus } from '../../protocol/widget-api.js';

interface AccountTable { id: string; name: string; created_at: string }

interface SecretKeyTable {
  id: string;
  account_id: string;
  key_hash: string;
  key_last8: string;
  created_at: string;
  /** Set by a rotation: the key is refused from then on. Null: valid until rotated. */
  expires_at: string | null;
}

export interface AgentTable {
  id: string;
  account_id: string;
  name: string;
  greeting: string;
  accent_color: string;
  webhook_url: string | null;
  webhook_secret: string;
  /** An OpenAI-compatible model instead of a webhook: base_url and model are both set or both null. */
  llm_base_url: string | null;
  llm_model: string | null;
  llm_api_key: string | null;
  llm_system_prompt: string | null;
  theme: Theme;
  locale: Language | null;
  /** 0 or 1: SQLite has no boolean type. */
  is_default: number;
  created_at: string;
  updated_at: string;
}

export interface WidgetKeyTable {
  id: string;
  account_id: string;
  name: string;
  key_hash: string;
  key_last8: string;
  /** JSON array of normalised patterns. */
  domain_allowlist: string;
  agent_id: string | null;
  created_at: string;
  updated_at: string;
  last_used_at: string | null;
  disabled_at: string | null;
  identity: IdentityMode;
  /** Sealed (session/secret-box.ts); set exactly when `identity` is not `off`. */
  identity_secret: string | null;
  /** The secret before the last rotation, sealed: it still verifies until `identity_previous_until`. */
  identity_previous_secret: string | null;
  identity_previous_until: string | null;
  mode: KeyMode;
}

/** A refused handshake origin of a key (migrations.ts, 0009). */
export interface BlockedOriginTable {
  widget_key_id: string;
  origin: string;
  type: string;
  seen_count: number;
  first_seen_at: string;
  last_seen_at: string;
}

export interface IdempotencyKeyTable {
  account_id: string;
  idem_key: string;
  request_hash: string;
  widget_key_id: string;
  created_at: string;
}

export interface ConversationTable {
  id: string;
  account_id: string;
  widget_key_id: string;
  agent_id: string;
  origin: string;
  /** The widget key's mode when the conversation began. */
  mode: Generated<KeyMode>;
  created_at: string;
  /** Number of the conversation's last stored change (see migrations.ts, 0003). */
  seq: Generated<number>;
  /** `created_seq` of the last visitor message a turn answered. */
  answered_seq: Generated<number>;
  /** The hub process running the agent for this conversation, until `turn_lease_until`. */
  turn_owner: string | null;
  turn_lease_until: string | null;
  /** The latest `Kataven('context', …)` a visitor post carried, as JSON text (migrations.ts, 0004). */
  reported_context: string | null;
  /** `created_seq` of a visitor message to answer again: its reply failed and the visitor retried it. */
  retry_seq: number | null;
  /** The verified visitor (`sub`) the conversation belongs to; null: an anonymous visitor's. */
  visitor_id: string | null;
  visitor_name: string | null;
  visitor_email: string | null;
  /** The person answering instead of the agent (migrations.ts, 0013); null: the agent answers. */
  taken_over_by: string | null;
}

export interface IdentityTokenTable {
  /** SHA-256 of the visitor token. */
  token_hash: string;
  /** The page origin it was first presented on. */
  origin: string;
  expires_at: string;
}

export interface MessageTable {
  id: string;
  conversation_id: string;
  role: MessageRole;
  /** For a streaming reply: empty until it ends (the text so far lives on the bus, bus.ts). */
  text: string;
  created_at: string;
  status: MessageStatus;
  client_message_id: string | null;
  author_name: string | null;
  failure_type: AgentFailureType | null;
  /** The conversation's change number of this message's last change; `created_seq` of its creation. */
  seq: number;
  created_seq: number;
  /** For an agent reply: `created_seq` of the visitor message its turn answered; null otherwise. */
  answers_seq: number | null;
}

export interface ConsoleSessionTable {
  /** SHA-256 (hex) of the cookie's value. */
  token_hash: string;
  account_id: string;
  /** The secret key that signed in: its end (a rotation) ends the session too. */
  secret_key_id: string;
  created_at: string;
  expires_at: string;
}

export interface Database {
  accounts: AccountTable;
  secret_keys: SecretKeyTable;
  agents: AgentTable;
  widget_keys: WidgetKeyTable;
  idempotency_keys: IdempotencyKeyTable;
  blocked_origins: BlockedOriginTable;
  conversations: ConversationTable;
  messages: MessageTable;
  identity_tokens: IdentityTokenTable;
  console_sessions: ConsoleSessionTable;
}
