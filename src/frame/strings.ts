/**
 * Every string the widget shows or announces to a visitor. This is the English table and the one source
 * of the `Strings` type: every other language (src/frame/lang/<code>.ts) is typed against it, so a
 * string added here is a type error in each table until it is translated (and test/frame/lang.test.ts
 * fails too). View and chat code take their words from the table they are given, never from literals of
 * their own. (A failed reply is worded by its failure type, not with the hub's English sentence; the
 * greeting stays as the owner wrote it.)
 */
export const EN = {
  /** The iframe's title on the host page (the hub sends it in the handshake; the loader sets it). */
  frameTitle: (agent: string) => 'Chat with ' + agent,
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
  /**
   * Under the title while a person (their name) has taken the conversation over from the agent, and
   * announced when it changes, with the agent's name when it is handed back.
   */
  chattingWith: (who: string) => "You're chatting with " + who,
  /** Shown (and announced once) while the agent works on a reply and has said nothing of its own. */
  typing: (agent: string) => agent + ' is typing…',
  /** The button that scrolls down to replies that arrived while the visitor read further up. */
  newMessages: 'New messages',
  retry: 'Retry',
  /** On a visitor message the hub did not take. */
  notSent: 'Not sent.',
  /**
   * On a reply that ended in an error, worded here by the hub's failure type (its own sentence is in
   * English): the agent did not answer in time, its answer was cut at the length limit, or anything else.
   */
  replyFailed: (agent: string) => agent + ' could not answer. Please try again.',
  replyTimeout: (agent: string) => agent + ' took too long to answer. Please try again.',
  replyCutShort: (agent: string) => 'The answer from ' + agent + ' was too long and was cut short.',
  expired: 'This chat session has expired. Reload the page to continue.',
  /** The site's key was disabled, or no longer allows this site. */
  unavailable: 'This chat is no longer available on this site.',
  /** The site requires signed-in visitors, and this one is not (or no longer) signed in. */
  signIn: 'Please sign in on this site to chat with us.',
  tooLong: (max: number) => 'Messages can be at most ' + max + ' characters long.',
  rateLimited: "You're sending messages too fast. Please wait a moment and try again.",
  timeout: 'The chat service took too long to answer. Please try again.',
  offline: 'Could not reach the chat service. Check your connection and try again.',
  httpError: (status: number) => 'Something went wrong (HTTP ' + status + '). Please try again.',
  /** The tag in the header of a widget on a test key (pk_test_, loopback pages only). */
  testMode: 'Test',
};

export type Strings = typeof EN;
