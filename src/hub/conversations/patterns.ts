/** Shapes of the ids the frame sends, checked by the route schemas before the store sees them. */
/** Conversation ids as repo.ts makes them: `conv_` + base64url. */
export const CONVERSATION_ID_PATTERN = '^conv_[A-Za-z0-9_-]{1,58}$';
/** Printable ASCII without spaces (a UUID fits): nothing the store could refuse (NUL) or a log could garble. */
export const CLIENT_MESSAGE_ID_PATTERN = '^[\\x21-\\x7e]+$';
