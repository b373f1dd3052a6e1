/** `kataven agents list|create|update|rotate-secret|test`: who answers in the widget, through the Node client. */
import type { Agent, UpdateAgentParams } from '../client/index.js';
import { ID_PREFIX } from '../protocol/ids.js';
import { LANGUAGES, THEMES } from '../protocol/languages.js';
import { answeredBy, hasLlmFlags, LLM_FLAG_NAMES, LLM_FLAGS, LLM_FLAGS_HELP, llmFromFlags } from './agents-llm.js';
import { parse, UsageError } from './args.js';
import { API_FLAGS, API_FLAGS_HELP, api, clientFrom, limitFlag, listed, onlyFlags, printJson } from './client-from-env.js';
import { record, table, truncate, when } from './table.js';

/** An agent id as the help shows it. */
const AGENT_ID = `${ID_PREFIX.agent}_…`;

const AGENTS_USAGE = `Usage: kataven agents <command> [flags]

Manage the agents that answer in the widget. Every account has a default agent; a widget key uses it
unless the key names another (kataven widget-keys update ID --agent AGENT_ID).

Commands:
  list   [--limit N] [--starting-after ID] [--all]
         List agents, newest first.
  create --name NAME [--greeting TEXT] [--accent-color #RRGGBB] [--theme THEME] [--locale CODE]
         [--webhook-url URL | --llm-base-url URL --llm-model MODEL [--llm-api-key KEY] [--llm-system-prompt TEXT]]
         Create an agent. Prints its webhook secret, which signs the hub's webhook requests.
  update ID [--name NAME] [--greeting TEXT] [--accent-color #RRGGBB] [--theme THEME] [--locale CODE]
         [--webhook-url URL | --no-webhook | --llm-… flags | --no-llm]
         Change an agent; widgets show the change at their next load. A webhook replaces a model and the
         other way round; --llm-… flags left out keep what the agent has (its api key included).
  rotate-secret ID
         Replace the agent's webhook secret, at once; prints the new one. Give it to your agent right away.
  test ID [--text TEXT]
         Send the agent a signed test message and print its answer, or why it failed (exit code 1).

Flags:
  --name NAME            the name visitors see
  --greeting TEXT        the first message of the conversation
  --accent-color #RRGGBB the widget's colour, e.g. #0f766e
  --theme THEME          ${THEMES.join(', ')}: auto follows the visitor's light or dark setting
  --locale CODE          the widget's language: ${LANGUAGES.join(', ')}, or browser (the visitor's
                         browser language decides; the default)
  --webhook-url URL      http(s) URL that receives each visitor message and answers {"reply": "…"};
                         without one, the built-in demo agent answers
  --no-webhook           (update) remove the webhook
  --text TEXT            (test) the message to send (default: a sentence saying it is a test)
${LLM_FLAGS_HELP}
  --limit N              (list) agents per page, 1 to 100 (default 20)
  --starting-after ID    (list) the page after this agent id
  --all                  (list) every agent, across pages
${API_FLAGS_HELP}

Examples:
  kataven agents create --name Support --greeting 'Hi! How can we help?' --accent-color '#0f766e'
  kataven agents update ${AGENT_ID} --theme dark --locale de
  kataven agents update ${AGENT_ID} --webhook-url https://example.com/kataven-webhook
  kataven agents create --name Ada --llm-base-url https://api.openai.com/v1 --llm-model gpt-4o-mini \\
    --llm-api-key "$OPENAI_API_KEY" --llm-system-prompt 'You answer for Acme. Be brief.'
  kataven agents update ${AGENT_ID} --llm-model gpt-4o`;

const FLAGS = {
  ...API_FLAGS,
  name: { type: 'string' },
  greeting: { type: 'string' },
  'accent-color': { type: 'string' },
  theme: { type: 'string' },
  locale: { type: 'string' },
  'webhook-url': { type: 'string' },
  'no-webhook': { type: 'boolean' },
  ...LLM_FLAGS,
  'no-llm': { type: 'boolean' },
  text: { type: 'string' },
  limit: { type: 'string' },
  'starting-after': { type: 'string' },
  all: { type: 'boolean' },
} as const;

const ALLOWED: Record<string, string[]> = {
  list: ['limit', 'starting-after', 'all'],
  create: ['name', 'greeting', 'accent-color', 'theme', 'locale', 'webhook-url', ...LLM_FLAG_NAMES],
  update: ['name', 'greeting', 'accent-color', 'theme', 'locale', 'webhook-url', 'no-webhook', ...LLM_FLAG_NAMES, 'no-llm'],
  'rotate-secret': [],
  test: ['text'],
};

const usageError = (message: string) => new UsageError(`${message}\n\n${AGENTS_USAGE}`);

const oneOf = <T extends string>(value: string, allowed: readonly T[], flag: string): T => {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw usageError(`${flag} ${JSON.stringify(value)}: give one of ${allowed.join(', ')}${flag === '--locale' ? ', or browser' : ''}`);
};

/** What the hub said is worth knowing about the saved agent (a colour the widget adapts), on stderr. */
const warn = (agent: Agent) => {
  for (const w of agent.warnings ?? []) console.error(`warning: ${w.message}`);
};

const llmOrUsage = <T>(llm: T | string): T => {
  if (typeof llm === 'string') throw usageError(llm);
  return llm;
};

const details = (agent: Agent) =>
  record([
    ['id', agent.id], ['name', agent.name], ['default', agent.is_default ? 'yes' : 'no'], ['greeting', agent.greeting],
    ['accent color', agent.accent_color], ['theme', agent.theme], ['language', agent.locale ?? 'browser'], ...answeredBy(agent),
    ['webhook secret', agent.webhook_secret], ['created', when(agent.created_at)],
  ]);

export async function agentsCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, FLAGS, AGENTS_USAGE);
  if (values.help) return void console.log(AGENTS_USAGE);
  const [command, id, ...extra] = positionals;
  if (!command || !(command in ALLOWED)) throw usageError(command ? `unknown agents command ${JSON.stringify(command)}` : 'which command? list, create, update, rotate-secret or test');
  onlyFlags(values, ALLOWED[command]!, `agents ${command}`, AGENTS_USAGE);
  const takesId = command === 'update' || command === 'rotate-secret' || command === 'test';
  if (takesId && !id) throw usageError(`agents ${command} needs the agent id, e.g. kataven agents ${command} ${AGENT_ID}`);
  if (extra.length || (!takesId && id)) throw usageError(`unexpected argument ${JSON.stringify(takesId ? extra[0] : id)}`);
  const client = clientFrom(values);

  if (command === 'list') {
    const params = { limit: limitFlag(values.limit, AGENTS_USAGE), starting_after: values['starting-after'] };
    const page = await listed(client.agents.list(params), values.all);
    if (values.json) return printJson(page);
    console.log(table(
      ['ID', 'NAME', 'DEFAULT', 'COLOR', 'ANSWERS THROUGH', 'GREETING'],
      page.data.map((a) => [a.id, truncate(a.name, 24), a.is_default ? 'yes' : '', a.accent_color, truncate(a.llm ? `${a.llm.model} (llm)` : (a.webhook_url ?? 'demo'), 40), truncate(a.greeting, 40)]),
    ));
    if (page.has_more) console.log(`\nMore agents: --starting-after ${page.data.at(-1)!.id}, or --all`);
    return;
  }

  if (command === 'rotate-secret') {
    const agent = await api(client.agents.rotateWebhookSecret(id!));
    return values.json ? printJson(agent) : void console.log(`New webhook secret for ${agent.id} (in force now): ${agent.webhook_secret}`);
  }

  if (command === 'test') {
    const result = await api(client.agents.test(id!, values.text === undefined ? {} : { text: values.text }));
    if (values.json) printJson(result);
    else if (result.failure) console.log(`The agent failed (${result.failure.type}): ${result.failure.detail}\nA visitor would see: ${result.failure.message}`);
    else console.log(result.outcome === 'accepted' ? 'The agent accepted the message (202) and would answer later.' : result.reply);
    if (result.failure) process.exitCode = 1;
    return;
  }

  if (values['webhook-url'] && values['no-webhook']) throw usageError('--webhook-url and --no-webhook contradict each other: give one');
  const llmFlags = hasLlmFlags(values);
  if (llmFlags && values['no-llm']) throw usageError('--llm-… flags and --no-llm contradict each other: give one');
  if (values['webhook-url'] && llmFlags) {
    throw usageError('--webhook-url and the --llm-… flags: give one. An agent answers through its webhook or through a model');
  }
  const fields: UpdateAgentParams = {};
  if (values.name !== undefined) fields.name = values.name;
  if (values.greeting !== undefined) fields.greeting = values.greeting;
  if (values['accent-color'] !== undefined) fields.accent_color = values['accent-color'];
  if (values.theme !== undefined) fields.theme = oneOf(values.theme, THEMES, '--theme');
  if (values.locale !== undefined) fields.locale = values.locale === 'browser' ? null : oneOf(values.locale, LANGUAGES, '--locale');
  if (values['webhook-url'] !== undefined) fields.webhook_url = values['webhook-url'];
  if (values['no-webhook']) fields.webhook_url = null;
  if (values['no-llm']) fields.llm = null;

  if (command === 'create') {
    if (!fields.name) throw usageError('agents create needs --name NAME');
    if (llmFlags) fields.llm = llmOrUsage(llmFromFlags(values));
    const agent = await api(client.agents.create({ ...fields, name: fields.name }));
    warn(agent);
    return values.json ? printJson(agent) : void console.log(`Created agent ${agent.id}.\n\n${details(agent)}`);
  }

  if (llmFlags) fields.llm = llmOrUsage(llmFromFlags(values, (await api(client.agents.retrieve(id!))).llm));
  if (!Object.keys(fields).length) throw usageError('nothing to update: give --name, --greeting, --accent-color, --theme, --locale, --webhook-url, --no-webhook, --llm-… flags or --no-llm');
  const agent = await api(client.agents.update(id!, fields));
  warn(agent);
  return values.json ? printJson(agent) : void console.log(`Updated agent ${agent.id}.\n\n${details(agent)}`);
}
