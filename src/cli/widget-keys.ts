/** `kataven widget-keys list|create|update|delete|blocked|check|rotate-identity-secret`: the Node client behind a table or --json. */
import type { IdentityMode, UpdateWidgetKeyParams, WidgetKey, WidgetKeyWithIdentitySecret } from '../client/index.js';
import { IDENTITY_MODES } from '../protocol/identity.js';
import { ID_PREFIX } from '../protocol/ids.js';
import { parse, UsageError } from './args.js';
import { API_FLAGS, API_FLAGS_HELP, api, clientFrom, limitFlag, listed, onlyFlags, printJson } from './client-from-env.js';
import { record, table, truncate, when } from './table.js';
import { allowedText, TEST_KEY_REACH } from '../protocol/key-reach.js';
import { installTags } from '../protocol/loader-url.js';

/** A widget key id as the help shows it. */
const KEY_ID = `${ID_PREFIX.widgetKey}_…`;

const WIDGET_KEYS_USAGE = `Usage: kataven widget-keys <command> [flags]

Manage the pk_live_ keys that sites paste into their <script> tag. A key is a public identifier: its
domain allowlist decides which sites may show the widget. Test keys (pk_test_, --test) work only on
localhost, 127.0.0.1 and [::1], on any port, whatever their allowlist: safe to use on a laptop.

Commands:
  list   [--limit N] [--starting-after ID] [--all]
         List keys, newest first: metadata only, never the plaintext key.
  create --name NAME [--domain SITE]... [--agent ID] [--identity MODE] [--test] [--idempotency-key KEY]
         Mint a key. Prints the plaintext key once (it cannot be shown again) and the <script> tag.
  update ID [--name NAME] [--domain SITE]... [--no-domains] [--agent ID | --default-agent] [--disable | --enable]
            [--identity MODE]
         Change a key. --domain replaces the whole allowlist; --disable revokes it (idempotent).
  delete ID
         Delete a key that was never used; a key that was used is disabled instead, for the audit trail.
  rotate-identity-secret ID [--grace-period S]
         A new identity secret, printed once; the previous one verifies visitor tokens for S more seconds.
  blocked ID
         The origins whose pages this key refused (newest first, the last 100, kept 30 days): why a widget is blank.
  check ID ORIGIN
         Would a page of ORIGIN (e.g. https://shop.example.com) show the widget? Says which entry allows it,
         or why not and the entry to add. Exits 0 when allowed, 1 when refused.

Flags:
  --name NAME           a name for you, e.g. the site
  --domain SITE         a site allowed to show the widget; repeat for more. example.com (https, that host),
                        *.example.com (its subdomains), http://localhost:3000, example.com:8443
  --no-domains          (update) empty the allowlist: no site may show the widget
  --agent ID            the agent answering on this key (see kataven agents list)
  --test                (create) a test key, pk_test_: loopback pages only, marked "test" everywhere
  --default-agent       (update) answer with the account's default agent
  --disable, --enable   (update) revoke the key, or take it back into use
  --identity MODE       verified visitors (docs/identity.md): off, optional or required. Turning it on
                        prints the identity secret your backend signs visitor tokens with, once
  --grace-period S      (rotate-identity-secret) seconds the previous secret keeps working (default 86400; 0: none)
  --limit N             (list) keys per page, 1 to 100 (default 20)
  --starting-after ID   (list) the page after this key id
  --all                 (list) every key, across pages
  --idempotency-key KEY (create) retrying with the same KEY never mints a second key
${API_FLAGS_HELP}

Examples:
  kataven widget-keys create --name Shop --domain shop.example.com --domain '*.shop.example.com'
  kataven widget-keys list --all --json
  kataven widget-keys update ${KEY_ID} --disable
  kataven widget-keys update ${KEY_ID} --identity required
  kataven widget-keys rotate-identity-secret ${KEY_ID} --grace-period 3600
  kataven widget-keys check ${KEY_ID} https://shop.example.com`;

const FLAGS = {
  ...API_FLAGS,
  name: { type: 'string' },
  domain: { type: 'string', multiple: true },
  'no-domains': { type: 'boolean' },
  agent: { type: 'string' },
  'default-agent': { type: 'boolean' },
  disable: { type: 'boolean' },
  enable: { type: 'boolean' },
  limit: { type: 'string' },
  'starting-after': { type: 'string' },
  all: { type: 'boolean' },
  'idempotency-key': { type: 'string' },
  identity: { type: 'string' },
  'grace-period': { type: 'string' },
  test: { type: 'boolean' },
} as const;

const ALLOWED: Record<string, string[]> = {
  list: ['limit', 'starting-after', 'all'],
  create: ['name', 'domain', 'agent', 'identity', 'idempotency-key', 'test'],
  update: ['name', 'domain', 'no-domains', 'agent', 'default-agent', 'disable', 'enable', 'identity'],
  delete: [],
  blocked: [],
  check: [],
  'rotate-identity-secret': ['grace-period'],
};

/** How many positional arguments after the command each one takes. */
const ARGUMENTS: Record<string, string[]> = { list: [], create: [], update: ['ID'], delete: ['ID'], blocked: ['ID'], check: ['ID', 'ORIGIN'], 'rotate-identity-secret': ['ID'] };

const usageError = (message: string) => new UsageError(`${message}\n\n${WIDGET_KEYS_USAGE}`);

function identityFlag(value: string | undefined): IdentityMode | undefined {
  if (value === undefined || (IDENTITY_MODES as readonly string[]).includes(value)) return value as IdentityMode | undefined;
  throw usageError(`--identity: expected ${IDENTITY_MODES.join(', ')}, not ${JSON.stringify(value)}`);
}

/** The identity secret of an answer that carries one, with what to do with it. */
const secretLines = (key: WidgetKeyWithIdentitySecret) =>
  key.identity_secret
    ? `\nIdentity secret (shown once, it cannot be shown again): ${key.identity_secret}\nSign visitor tokens with it on your backend (HS256, aud ${key.id}); see docs/identity.md.`
    : '';

/**
 * The hub as a tag names it. A loopback hub (the CLI's default base URL) is written as localhost, as
 * `kataven demo` names it: same-site with a page on localhost, so a browser that blocks third-party
 * storage still lets the frame keep the visitor's conversation across reloads (README, "The
 * conversation survives a reload").
 */
const tagHubUrl = (baseUrl: string) => {
  const url = new URL(baseUrl);
  if (url.hostname === '127.0.0.1' || url.hostname === '[::1]') url.hostname = 'localhost';
  return url.href.replace(/\/$/, '');
};

/** Where the key works: a test key's allowlist is not what the hub checks (protocol/key-reach.ts). */
const domains = (key: WidgetKey) => (key.mode === 'test' ? TEST_KEY_REACH : key.domain_allowlist.length ? key.domain_allowlist.join(', ') : 'none (no site allowed)');

const modeOf = (key: WidgetKey) => (key.mode === 'test' ? 'test (localhost only)' : 'live');

const details = (key: WidgetKey) =>
  record([
    ['id', key.id], ['name', key.name], ['key', `…${key.key_last8}`], ['mode', modeOf(key)], ['status', key.disabled_at ? `disabled ${when(key.disabled_at)}` : 'active'],
    ['domains', domains(key)], ['agent', key.agent_id ?? 'account default'], ['identity', key.identity], ['last used', when(key.last_used_at)], ['created', when(key.created_at)],
  ]);

export async function widgetKeysCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, FLAGS, WIDGET_KEYS_USAGE);
  if (values.help) return void console.log(WIDGET_KEYS_USAGE);
  const [command, ...args] = positionals;
  if (!command || !(command in ALLOWED)) throw usageError(command ? `unknown widget-keys command ${JSON.stringify(command)}` : 'which command? list, create, update, delete, blocked, check or rotate-identity-secret');
  onlyFlags(values, ALLOWED[command]!, `widget-keys ${command}`, WIDGET_KEYS_USAGE);
  const wanted = ARGUMENTS[command]!;
  if (args.length < wanted.length) {
    throw usageError(`widget-keys ${command} needs ${wanted.length > 1 ? 'the key id and an ORIGIN' : 'the key id'}, e.g. kataven widget-keys ${command} ${KEY_ID}${wanted.length > 1 ? ' https://shop.example.com' : ''}`);
  }
  if (args.length > wanted.length) throw usageError(`unexpected argument ${JSON.stringify(args[wanted.length])}`);
  const [id, origin] = args;
  const client = clientFrom(values);

  if (command === 'list') {
    const limit = limitFlag(values.limit, WIDGET_KEYS_USAGE);
    const params = { limit, starting_after: values['starting-after'] };
    const page = await listed(client.widgetKeys.list(params), values.all);
    if (values.json) return printJson(page);
    if (!page.data.length) return void console.log('No widget keys yet. Create one with: kataven widget-keys create --name NAME --domain SITE');
    console.log(table(
      ['ID', 'NAME', 'KEY', 'STATUS', 'MODE', 'AGENT', 'LAST USED', 'DOMAINS'],
      page.data.map((k) => [
        k.id, truncate(k.name, 24), `…${k.key_last8}`, k.disabled_at ? 'disabled' : 'active', k.mode, k.agent_id ?? 'default', when(k.last_used_at),
        truncate(domains(k), 60),
      ]),
    ));
    if (page.has_more) console.log(`\nMore keys: --starting-after ${page.data.at(-1)!.id}, or --all`);
    return;
  }

  if (command === 'create') {
    if (!values.name) throw usageError('widget-keys create needs --name NAME');
    const identity = identityFlag(values.identity);
    const created = await api(client.widgetKeys.create(
      {
        name: values.name,
        ...(values.domain ? { domain_allowlist: values.domain } : {}),
        ...(values.agent ? { agent_id: values.agent } : {}),
        ...(values.test ? { mode: 'test' as const } : {}),
        ...(identity ? { identity } : {}),
      },
      values['idempotency-key'] ? { idempotencyKey: values['idempotency-key'] } : undefined,
    ));
    const snippet = installTags(tagHubUrl(client.baseUrl), created.key, null).tag;
    if (values.json) return printJson({ ...created, snippet });
    console.log(`Created widget key ${created.id} (${created.name}).\n`);
    console.log(`Key (shown once, it cannot be shown again): ${created.key}`);
    if (created.mode === 'test') console.log('Test key: it works only on pages of localhost, 127.0.0.1 and [::1] (any port), and the widget shows a "Test" tag. Use a live key on your site.');
    else console.log(`Allowed sites: ${domains(created)}${created.domain_allowlist.length ? '' : '; add some with kataven widget-keys update ' + created.id + ' --domain SITE'}`);
    console.log(`\nPaste this into your site's HTML:\n\n  ${snippet}`);
    const secret = secretLines(created);
    if (secret) console.log(secret);
    return;
  }

  if (command === 'update') {
    if (values.disable && values.enable) throw usageError('--disable and --enable contradict each other: give one');
    if (values.agent && values['default-agent']) throw usageError('--agent and --default-agent contradict each other: give one');
    if (values.domain && values['no-domains']) throw usageError('--domain and --no-domains contradict each other: give one');
    const patch: UpdateWidgetKeyParams = {};
    if (values.name !== undefined) patch.name = values.name;
    if (values.domain) patch.domain_allowlist = values.domain;
    if (values['no-domains']) patch.domain_allowlist = [];
    if (values.agent) patch.agent_id = values.agent;
    if (values['default-agent']) patch.agent_id = null;
    if (values.disable || values.enable) patch.disabled = Boolean(values.disable);
    const identity = identityFlag(values.identity);
    if (identity) patch.identity = identity;
    if (!Object.keys(patch).length) throw usageError('nothing to update: give --name, --domain, --no-domains, --agent, --default-agent, --disable, --enable or --identity');
    const key = await api(client.widgetKeys.update(id!, patch));
    return values.json ? printJson(key) : void console.log(`Updated widget key ${key.id}.\n\n${details(key)}${secretLines(key)}`);
  }

  if (command === 'rotate-identity-secret') {
    const grace = values['grace-period'];
    if (grace !== undefined && !/^\d+$/.test(grace)) throw usageError(`--grace-period: expected whole seconds, not ${JSON.stringify(grace)}`);
    const key = await api(client.widgetKeys.rotateIdentitySecret(id!, grace === undefined ? {} : { grace_period_s: Number(grace) }));
    if (values.json) return printJson(key);
    const until = key.previous_identity_secret_expires_at;
    return void console.log(`Rotated the identity secret of widget key ${key.id}.${secretLines(key)}\n${until ? `The previous secret keeps working until ${when(until)}.` : 'The previous secret no longer works.'}`);
  }

  if (command === 'blocked') {
    const list = await api(client.widgetKeys.blockedOrigins(id!));
    if (values.json) return printJson(list);
    if (!list.data.length) return void console.log(`No refused origins for ${id} in the last 30 days.`);
    console.log(table(
      ['LAST SEEN', 'FIRST SEEN', 'COUNT', 'TYPE', 'ORIGIN'],
      list.data.map((b) => [when(b.last_seen_at), when(b.first_seen_at), String(b.count), b.type, b.origin === '' ? '(no Origin header)' : b.origin]),
    ));
    console.log(`\nWhy, and the entry that would allow one: kataven widget-keys check ${id} ORIGIN`);
    return;
  }

  if (command === 'check') {
    const result = await api(client.widgetKeys.checkOrigin(id!, origin!));
    if (values.json) printJson(result);
    else if (result.allowed) console.log(allowedText(origin!, result.matched_entry));
    else {
      console.log(`Refused: ${result.reason}`);
      if (result.suggested_entry) {
        console.log(`\nThe entry that allows it: ${result.suggested_entry}\nAdd it to the key's allowlist (--domain replaces the list, so repeat the entries to keep):\n  kataven widget-keys update ${id} --domain ${result.suggested_entry} --domain …`);
      }
    }
    if (!result.allowed) process.exitCode = 1;
    return;
  }

  const result = await api(client.widgetKeys.delete(id!));
  if (values.json) return printJson(result);
  console.log(result.deleted
    ? `Deleted widget key ${result.id}: it was never used.`
    : `Widget key ${result.id} had been used, so it was disabled (at ${when(result.disabled_at ?? null)}) instead of deleted, to keep the audit trail.`);
}
