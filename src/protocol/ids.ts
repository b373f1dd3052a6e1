/**
 * Ids of the hub's records as they appear on the wire, in docs and in CLI help: `<prefix>_<body>`.
 * The hub mints them (src/hub/ids.ts); everything that names or checks an id reads the prefix here.
 */

/** One prefix per kind of record. */
export const ID_PREFIX = {
  account: 'acct',
  secretKey: 'sk',
  agent: 'agt',
  widgetKey: 'wk',
  message: 'msg',
  conversation: 'conv',
  /** A webhook delivery (`webhook-id`): the same on a retry of the same event. */
  webhookEvent: 'evt',
  /** Not a record: the request id of every response (`X-Request-Id`), a UUID's 32 hex digits after it. */
  request: 'req',
} as const;

export type IdPrefix = (typeof ID_PREFIX)[keyof typeof ID_PREFIX];

/**
 * A time-ordered id's body: 9 base36 characters of milliseconds, then 12 random base36 characters,
 * lowercase only, so the text order is the creation order under any collation (list pagination relies on it).
 */
export const ID_TIME_LENGTH = 9;
export const ID_RANDOM_LENGTH = 12;
export const ID_ALPHABET = '[0-9a-z]';

/**
 * Conversation ids are not time-ordered: 18 random bytes in base64url (144 bits), since the id is the
 * visitor's only handle on the conversation.
 */
export const CONVERSATION_ID_BYTES = 18;

/** Conversation ids as the hub makes them, as the route schemas check them before the store sees one. */
export const CONVERSATION_ID_PATTERN = `^${ID_PREFIX.conversation}_[A-Za-z0-9_-]{1,58}$`;
