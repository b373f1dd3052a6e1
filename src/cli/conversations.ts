/** `kataven conversations list|show|reply|take-over|hand-back|delete`: read, answer, take over and erase conversations through the Node client. */
import type { Conversation, ConversationMessage } from '../client/index.js';
import { ID_PREFIX } from '../protocol/ids.js';
import { parse, UsageError } from './args.js';
import { API_FLAGS, API_FLAGS_HELP, api, clientFrom, limitFlag, listed, onlyFlags, printJson } from './client-from-env.js';
import { record, table, when } from './table.js';

/** A conversation id as the help shows it. */
const CONVERSATION_ID = `${ID_PREFIX.conversation}_…`;

const CONVERSATIONS_USAGE = `Usage: kataven conversations <command> [flags]

Read what visitors and agents said in the widget, answer in a conversation, take one over from the
agent, or erase one.

Commands:
  list   [--widget-key ID] [--visitor-id ID] [--limit N] [--starting-after ID] [--all]
         List conversations, newest first, with their message counts.
  show   ID
         One conversation and every message, oldest first.
  reply  ID --text TEXT [--author NAME]
         Post a message the visitor sees at once: as the agent (how an agent that answered 202 replies
         later), or with --author as a person, shown by that name.
  take-over ID --author NAME [--from NAME]
         A person answers from now on: the agent is not called for the visitor's messages, and the
         widget tells the visitor who answers. Reply with: reply ID --text '…' --author NAME.
         Only while the agent answers: if a colleague has taken over, it says who and changes nothing,
         unless --from names them.
  hand-back ID [--from NAME]
         The agent answers again, from the visitor's next message (with --from: only if NAME answers).
  delete ID
         Erase the conversation and every message, for good (nothing is kept).

Flags:
  --widget-key ID       (list) only the conversations of this widget key (see kataven widget-keys list)
  --visitor-id ID       (list) only the conversations of this verified visitor (your user id, docs/identity.md)
  --limit N             (list) conversations per page, 1 to 100 (default 20)
  --starting-after ID   (list) the page after this conversation id
  --all                 (list) every conversation, across pages
  --text TEXT           (reply) the message, markdown like an agent reply
  --author NAME         (reply) a person writes, not the agent; (take-over) who answers
  --from NAME           (take-over, hand-back) only if NAME answers now
${API_FLAGS_HELP}

Examples:
  kataven conversations list --widget-key ${ID_PREFIX.widgetKey}_…
  kataven conversations show ${CONVERSATION_ID}
  kataven conversations take-over ${CONVERSATION_ID} --author Sam
  kataven conversations reply ${CONVERSATION_ID} --text 'Sam here, I can help.' --author Sam
  kataven conversations hand-back ${CONVERSATION_ID}
  kataven conversations delete ${CONVERSATION_ID}`;

const FLAGS = {
  ...API_FLAGS,
  'widget-key': { type: 'string' },
  'visitor-id': { type: 'string' },
  limit: { type: 'string' },
  'starting-after': { type: 'string' },
  all: { type: 'boolean' },
  text: { type: 'string' },
  author: { type: 'string' },
  from: { type: 'string' },
} as const;

const ALLOWED: Record<string, string[]> = {
  list: ['widget-key', 'visitor-id', 'limit', 'starting-after', 'all'],
  show: [],
  reply: ['text', 'author'],
  'take-over': ['author', 'from'],
  'hand-back': ['from'],
  delete: [],
};

const usageError = (message: string) => new UsageError(`${message}\n\n${CONVERSATIONS_USAGE}`);

const details = (c: Conversation) =>
  record([
    ['id', c.id], ['widget key', c.widget_key_id], ['mode', c.mode], ['agent', c.agent_id], ['site', c.origin], ['visitor', c.visitor_id ?? 'anonymous'], ['messages', String(c.message_count)],
    ['answered by', c.taken_over_by ? `${c.taken_over_by} (person; the agent is not called)` : 'the agent'],
    ['started', when(c.created_at)], ['last message', when(c.last_message_at)],
  ]);

const speaker = (m: ConversationMessage) => (m.role === 'person' && m.author_name ? `${m.author_name} (person)` : m.role);

/** One message as a transcript entry; the lines of a long message indented under its header. */
const transcriptEntry = (m: ConversationMessage) =>
  `[${when(m.created_at)}] ${speaker(m)}${m.status === 'completed' ? '' : ` (${[m.status, m.failure_type].filter(Boolean).join(': ')})`}:\n${m.text.replace(/^/gm, '  ')}`;

export async function conversationsCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, FLAGS, CONVERSATIONS_USAGE);
  if (values.help) return void console.log(CONVERSATIONS_USAGE);
  const [command, id, ...extra] = positionals;
  if (!command || !(command in ALLOWED)) throw usageError(command ? `unknown conversations command ${JSON.stringify(command)}` : 'which command? list, show, reply, take-over, hand-back or delete');
  onlyFlags(values, ALLOWED[command]!, `conversations ${command}`, CONVERSATIONS_USAGE);
  const takesId = command !== 'list';
  if (takesId && !id) throw usageError(`conversations ${command} needs the conversation id, e.g. kataven conversations ${command} ${CONVERSATION_ID}`);
  if (extra.length || (!takesId && id)) throw usageError(`unexpected argument ${JSON.stringify(takesId ? extra[0] : id)}`);
  if (command === 'reply' && !values.text?.trim()) throw usageError('conversations reply needs --text TEXT, the message to post');
  if (command === 'take-over' && !values.author?.trim()) throw usageError('conversations take-over needs --author NAME, the person who answers from now on');
  const client = clientFrom(values);

  if (command === 'list') {
    const params = { limit: limitFlag(values.limit, CONVERSATIONS_USAGE), starting_after: values['starting-after'], widget_key_id: values['widget-key'], visitor_id: values['visitor-id'] };
    const page = await listed(client.conversations.list(params), values.all);
    if (values.json) return printJson(page);
    if (!page.data.length) return void console.log('No conversations yet: they start when a visitor writes in the widget.');
    console.log(table(
      ['ID', 'WIDGET KEY', 'MESSAGES', 'LAST MESSAGE', 'STARTED', 'MODE', 'ANSWERED BY', 'SITE'],
      page.data.map((c) => [c.id, c.widget_key_id, String(c.message_count), when(c.last_message_at), when(c.created_at), c.mode, c.taken_over_by ?? 'agent', c.origin]),
    ));
    if (page.has_more) console.log(`\nMore conversations: --starting-after ${page.data.at(-1)!.id}, or --all`);
    return;
  }

  if (command === 'show') {
    const conversation = await api(client.conversations.retrieve(id!));
    if (values.json) return printJson(conversation);
    const transcript = conversation.messages.length ? conversation.messages.map(transcriptEntry).join('\n\n') : 'No messages yet.';
    console.log(`${details(conversation)}\n\n${transcript}`);
    return;
  }

  if (command === 'reply') {
    const message = await api(client.conversations.messages.create(id!, { text: values.text!, ...(values.author !== undefined ? { author_name: values.author } : {}) }));
    if (values.json) return printJson(message);
    console.log(`Posted ${message.id} to ${id} as ${speaker(message)}; the visitor sees it at once.`);
    return;
  }

  if (command === 'take-over' || command === 'hand-back') {
    // Taking over from whoever answers is the mistake to prevent (two people each thinking they answer),
    // so take-over is on condition that the agent answers, or --from's person; a hand-back is not,
    // unless asked.
    const condition = values.from !== undefined ? { if_taken_over_by: values.from } : command === 'take-over' ? { if_taken_over_by: null } : {};
    const conversation = await api(client.conversations.update(id!, { taken_over_by: command === 'take-over' ? values.author! : null, ...condition }), (err) =>
      err.type === 'takeover_conflict' ? `run kataven conversations show ${id} to read it, then ${command} again with --from and the name it shows` : undefined);
    if (values.json) return printJson(conversation);
    console.log(conversation.taken_over_by
      ? `${conversation.taken_over_by} answers ${id} now; the agent is not called until you hand it back (kataven conversations hand-back ${id}).`
      : `The agent answers ${id} again, from the visitor's next message.`);
    return;
  }

  const result = await api(client.conversations.del(id!));
  if (values.json) return printJson(result);
  console.log(`Erased conversation ${result.id} and every message of it.`);
}
