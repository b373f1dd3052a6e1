/**
 * Every string the widget shows or announces to a visitor, in one table per language, so that a later
 * issue adds languages by adding a table. Only English exists yet. View and chat code take their words
 * from here, never from literals of their own. (Messages that come from the hub, such as the reason a
 * reply failed, are shown as the hub wrote them.)
 */
export const EN = {
  openChat: (agent: string) => 'Open chat with ' + agent,
  /** The launcher's label while replies wait unread: the count is read out with the button. */
  openChatUnread: (agent: string, n: number) => 'Open chat with ' + agent + ', ' + n + (n == 1 ? ' new message' : ' new messages'),
  /** Announced (polite) when a reply arrives while the panel is closed. */
  unreadAnnounce: (agent: string, n: number) => n + (n == 1 ? ' new message from ' : ' new messages from ') + agent,
  closeChat: 'Close chat',
  conversation: 'Conversation',
  composerLabel: (agent: string) => 'Message ' + agent,
  placeholder: 'Write a message…',
  send: 'Send',
  /** Who said it, read before each message by screen readers. */
  you: 'You',
  said: (who: string) => who + ': ',
  /** The button that scrolls down to replies that arrived while the visitor read further up. */
  newMessages: 'New messages',
  retry: 'Retry',
  /** On a visitor message the hub did not take. */
  notSent: 'Not sent.',
  /** On a reply that ended in an error, when the hub gave no reason. */
  replyFailed: (agent: string) => agent + ' could not answer. Please try again.',
  expired: 'This chat session has expired. Reload the page to continue.',
  /** The site's key was disabled, or no longer allows this site. */
  unavailable: 'This chat is no longer available on this site.',
  tooLong: (max: number) => 'Messages can be at most ' + max + ' characters long.',
  rateLimited: "You're sending messages too fast. Please wait a moment and try again.",
  timeout: 'The chat service took too long to answer. Please try again.',
  offline: 'Could not reach the chat service. Check your connection and try again.',
  httpError: (status: number) => 'Something went wrong (HTTP ' + status + '). Please try again.',
  /** The tag in the header of a widget on a test key (pk_test_, loopback pages only). */
  testMode: 'Test',
} as const;

export type Strings = typeof EN;
