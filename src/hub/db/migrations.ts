/**
 * Migrations in code, frozen in time: never edit one that has shipped, add the next. They take
 * Kysely<any> because they describe the schema as it was then, not as the current types say.
 */
import type { Kysely, Migration, MigrationProvider } from 'kysely';

const initial: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('accounts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('secret_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
      .addColumn('key_hash', 'text', (c) => c.notNull().unique())
      .addColumn('key_last8', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('agents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('greeting', 'text', (c) => c.notNull())
      .addColumn('accent_color', 'text', (c) => c.notNull())
      .addColumn('webhook_url', 'text')
      .addColumn('webhook_secret', 'text', (c) => c.notNull())
      .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('agents_account_id').on('agents').columns(['account_id', 'id']).execute();
    await db.schema
      .createTable('widget_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('key_hash', 'text', (c) => c.notNull().unique())
      .addColumn('key_last8', 'text', (c) => c.notNull())
      .addColumn('domain_allowlist', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.references('agents.id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('last_used_at', 'text')
      .addColumn('disabled_at', 'text')
      .execute();
    await db.schema.createIndex('widget_keys_account_id').on('widget_keys').columns(['account_id', 'id']).execute();
    await db.schema
      .createTable('idempotency_keys')
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('idem_key', 'text', (c) => c.notNull())
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('widget_key_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('idempotency_keys_pk', ['account_id', 'idem_key'])
      .execute();
  },
};

const conversations: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('conversations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('widget_key_id', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('messages')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('messages_conversation_id').on('messages').columns(['conversation_id', 'id']).execute();
  },
};

/**
 * Live conversations: every stored change of a conversation (a message created, completed or failed)
 * takes the next number of `conversations.seq`; the events stream resumes from it (conversations/
 * cursor.ts). `answered_seq` is the last visitor message a turn answered; `turn_owner` and
 * `turn_lease_until` make one hub process at a time the one that runs the agent (conversations/turns.ts).
 * Rows written before: one batch with sequence 1, all answered.
 */
const liveConversations: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('conversations').addColumn('seq', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('conversations').addColumn('answered_seq', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('conversations').addColumn('turn_owner', 'text').execute();
    await db.schema.alterTable('conversations').addColumn('turn_lease_until', 'text').execute();
    await db.schema.alterTable('messages').addColumn('status', 'text', (c) => c.notNull().defaultTo('completed')).execute();
    await db.schema.alterTable('messages').addColumn('client_message_id', 'text').execute();
    await db.schema.alterTable('messages').addColumn('author_name', 'text').execute();
    await db.schema.alterTable('messages').addColumn('failure_type', 'text').execute();
    await db.schema.alterTable('messages').addColumn('seq', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('messages').addColumn('created_seq', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.updateTable('messages').set({ seq: 1, created_seq: 1 }).execute();
    await db.updateTable('conversations').set({ seq: 1, answered_seq: 1 }).execute();
    // NULLs are distinct in a unique index on both databases: messages without a client id never collide.
    await db.schema.createIndex('messages_client_message_id').on('messages').columns(['conversation_id', 'client_message_id']).unique().execute();
    await db.schema.createIndex('messages_conversation_seq').on('messages').columns(['conversation_id', 'seq']).execute();
    // The restart sweep's two questions: which replies are streaming, which leases have ended.
    await db.schema.createIndex('messages_status').on('messages').column('status').execute();
    await db.schema.createIndex('conversations_turn_lease').on('conversations').column('turn_lease_until').execute();
  },
};

/** The Admin API lists an account's conversations newest first (src/hub/admin-conversations/repo.ts). */
const conversationsByAccount: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex('conversations_account_created').on('conversations').columns(['account_id', 'created_at', 'id']).execute();
  },
};

/** Rotation: a replaced secret key keeps working until `expires_at` (null: no end). */
const secretKeyExpiry: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('secret_keys').addColumn('expires_at', 'text').execute();
  },
};

/**
 * What a turn needs beyond the queue: `reported_context`, the latest `Kataven('context', …)` a visitor
 * post carried (JSON text, at most MAX_REPORTED_CONTEXT_BYTES); `retry_seq`, the `created_seq` of a
 * visitor message whose failed reply the visitor asked again (conversations/service.ts); and on agent
 * messages `answers_seq`, the `created_seq` of the visitor message their turn answered, so that "the
 * reply to this message" is a query. Replies written before have none: a repeat of their question
 * starts nothing, as before.
 */
const replies: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('conversations').addColumn('reported_context', 'text').execute();
    await db.schema.alterTable('conversations').addColumn('retry_seq', 'integer').execute();
    await db.schema.alterTable('messages').addColumn('answers_seq', 'integer').execute();
  },
};

/**
 * Agents that are OpenAI-compatible models (issue 11): `llm_base_url` and `llm_model` are both set or both
 * null (agents/service.ts keeps it so); `llm_api_key` is write-only in the API and never leaves the hub
 * except in the model request's authorization header.
 */
const agentLlm: Migration = {
  async up(db: Kysely<any>) {
    for (const column of ['llm_base_url', 'llm_model', 'llm_api_key', 'llm_system_prompt']) {
      await db.schema.alterTable('agents').addColumn(column, 'text').execute();
    }
  },
};

/**
 * How an agent's widget looks and speaks (issue 13): `theme` (auto, light or dark; auto follows the
 * visitor's colour scheme) and `locale` (one of src/protocol/languages.ts; null lets the visitor's
 * browser language decide).
 */
const agentLook: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('agents').addColumn('theme', 'text', (c) => c.notNull().defaultTo('auto')).execute();
    await db.schema.alterTable('agents').addColumn('locale', 'text').execute();
  },
};

/**
 * Owner tools (issue 14): a key's `mode` (live or test, fixed at creation) and the conversations' copy of
 * it; `blocked_origins`, the refused handshakes per key and origin (visitor/blocked-origins.ts): at most
 * MAX_BLOCKED_ORIGINS rows a key, 30 days each, never an address, a path or a user agent.
 */
const ownerTools: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('widget_keys').addColumn('mode', 'text', (c) => c.notNull().defaultTo('live')).execute();
    await db.schema.alterTable('conversations').addColumn('mode', 'text', (c) => c.notNull().defaultTo('live')).execute();
    await db.schema
      .createTable('blocked_origins')
      .addColumn('widget_key_id', 'text', (c) => c.notNull())
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('seen_count', 'integer', (c) => c.notNull())
      .addColumn('first_seen_at', 'text', (c) => c.notNull())
      .addColumn('last_seen_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('blocked_origins_pk', ['widget_key_id', 'origin'])
      .execute();
    await db.schema.createIndex('blocked_origins_key_seen').on('blocked_origins').columns(['widget_key_id', 'last_seen_at']).execute();
    await db.schema.createIndex('blocked_origins_seen').on('blocked_origins').column('last_seen_at').execute();
  },
};

/**
 * Verified visitors (issue 15, docs/identity.md). On keys: `identity` (off, optional, required) and the
 * identity secret, sealed (session/secret-box.ts); after a rotation the previous one, sealed, verifies
 * until `identity_previous_until`. On conversations: the verified visitor (`sub`, name, email) they
 * belong to, null for anonymous ones; listed per (account, visitor). `identity_tokens`: the page origin
 * each visitor token was first presented on, so that a token replayed on another origin is refused;
 * rows go once the token has expired.
 */
const identity: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('widget_keys').addColumn('identity', 'text', (c) => c.notNull().defaultTo('off')).execute();
    for (const column of ['identity_secret', 'identity_previous_secret', 'identity_previous_until']) {
      await db.schema.alterTable('widget_keys').addColumn(column, 'text').execute();
    }
    for (const column of ['visitor_id', 'visitor_name', 'visitor_email']) {
      await db.schema.alterTable('conversations').addColumn(column, 'text').execute();
    }
    await db.schema.createIndex('conversations_visitor').on('conversations').columns(['account_id', 'visitor_id', 'created_at']).execute();
    await db.schema
      .createTable('identity_tokens')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('identity_tokens_expires').on('identity_tokens').column('expires_at').execute();
  },
};

/**
 * Retention (src/hub/retention/): conversations idle since a cutoff are found by their creation time and
 * their messages' times, and idempotency records expire by theirs; each question gets its index.
 */
const retention: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex('conversations_created').on('conversations').columns(['created_at', 'id']).execute();
    await db.schema.createIndex('messages_conversation_created').on('messages').columns(['conversation_id', 'created_at']).execute();
    await db.schema.createIndex('idempotency_keys_created').on('idempotency_keys').column('created_at').execute();
  },
};

/**
 * Console sessions (src/hub/console/sessions.ts): the cookie's SHA-256, never the cookie; the secret key
 * that signed in, so that a session ends when that key does (rotation); an end of its own.
 */
const consoleSessions: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('console_sessions')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
      .addColumn('secret_key_id', 'text', (c) => c.notNull().references('secret_keys.id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('console_sessions_expires_at').on('console_sessions').column('expires_at').execute();
  },
};

/**
 * A person taking over (docs/conversations.md): `taken_over_by` is the name of the person answering the
 * conversation; while it is set no agent turn calls the agent. Null: the agent answers, as before.
 */
const takeover: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('conversations').addColumn('taken_over_by', 'text').execute();
  },
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return {
      '0001_initial': initial,
      '0002_conversations': conversations,
      '0003_live_conversations': liveConversations,
      '0004_conversations_by_account': conversationsByAccount,
      '0005_secret_key_expiry': secretKeyExpiry,
      '0006_replies': replies,
      '0007_agent_llm': agentLlm,
      '0008_agent_look': agentLook,
      '0009_owner_tools': ownerTools,
      '0010_identity': identity,
      '0011_retention': retention,
      '0012_console_sessions': consoleSessions,
      '0013_takeover': takeover,
    };
  },
};
