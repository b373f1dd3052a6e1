/**
 * Widget keys: the list, creating one (its plaintext and install tags shown once), and one key's page:
 * rename, allowlist, "test an origin", revoke and restore, delete, and the origins it refused with a
 * one-click "allow this origin".
 */
import type {
  BlockedOrigin, BlockedOriginList, CheckOriginResult as OriginCheck, CreatedWidgetKey, DeletedWidgetKey, WidgetKey as Key, WidgetKeyList,
} from '../protocol/api.js';
import { allowedText, TEST_KEY_HOSTS, TEST_KEY_REACH } from '../protocol/key-reach.js';
import { installTags } from '../protocol/loader-url.js';
import { allowlistEditor } from './allowlist.js';
import { seg } from './api.js';
import { confirmDialog, field, h, when } from './dom.js';
import { heading, type Page, type PageContext } from './page.js';

const status = (k: Key) => (k.disabled_at ? `Revoked ${when(k.disabled_at)}` : 'Active');

async function allKeys(ctx: PageContext): Promise<Key[]> {
  const keys: Key[] = [];
  for (let after: string | undefined; ;) {
    const page = await ctx.api.get<WidgetKeyList>(`/api/v1/widget-keys?limit=100${after ? `&starting_after=${seg(after)}` : ''}`);
    keys.push(...page.data);
    if (!page.has_more) return keys;
    after = page.data.at(-1)!.id;
  }
}

export const keysPage: Page = async (ctx, [id]) => (id ? keyPage(ctx, id) : listPage(ctx));

async function listPage(ctx: PageContext): Promise<void> {
  heading(ctx, 'Widget keys');
  const table = { current: keyTable(await allKeys(ctx)) };
  ctx.main.append(table.current, createForm(ctx, table));
}

function keyTable(keys: Key[]): HTMLElement {
  if (!keys.length) return h('p', {}, 'No widget keys yet. Create one below.');
  const rows = keys.map((k) =>
    h('tr', {},
      h('th', { scope: 'row' }, h('a', { href: `#/keys/${seg(k.id)}` }, k.name)),
      h('td', {}, k.mode === 'test' ? h('span', { class: 'tag test' }, 'test') : 'live'),
      h('td', {}, h('code', {}, `…${k.key_last8}`)),
      h('td', {}, k.mode === 'test' ? TEST_KEY_REACH : k.domain_allowlist.length ? k.domain_allowlist.join(', ') : h('em', {}, 'empty: refuses every site')),
      h('td', {}, when(k.last_used_at)),
      h('td', {}, status(k))));
  return h('table', {},
    h('caption', { class: 'sr' }, 'Widget keys of this account'),
    h('thead', {}, h('tr', {}, ...['Name', 'Mode', 'Key', 'Allowlist', 'Last used', 'Status'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows));
}

/**
 * The key just created, where the form was, with a way to create another; then the table above drawn
 * again with it. The panel comes first: the plaintext key is shown only here, and a failed re-read of
 * the list must not lose it (the table then stays as it was).
 */
async function showCreated(ctx: PageContext, form: HTMLElement, table: { current: HTMLElement }, created: CreatedWidgetKey): Promise<void> {
  const panel = h('div', { class: 'created' }, ...createdKey(ctx, created));
  panel.append(h('button', { type: 'button', onclick: () => {
    const next = createForm(ctx, table);
    panel.replaceWith(next);
    next.querySelector('input')!.focus();
  } }, 'Create another key'));
  form.replaceWith(panel);
  panel.querySelector('h2')!.focus();
  try {
    const fresh = keyTable(await allKeys(ctx));
    table.current.replaceWith(fresh);
    table.current = fresh;
  } catch {
    /* the table stays as it was; the panel above is what matters */
  }
}

/** `table`: the key list above the form, drawn again once a key is created. */
function createForm(ctx: PageContext, table: { current: HTMLElement }): HTMLElement {
  const name = field('Name', h('input', { type: 'text', required: true, maxlength: 100, autocomplete: 'off' }), 'For you only, e.g. the site it is for.');
  const mode = field('Mode', h('select', {}, h('option', { value: 'live' }, 'Live: works on the sites of its allowlist'), h('option', { value: 'test' }, 'Test: works on localhost only')));
  const allowlist = allowlistEditor(ctx.api, []);
  const error = h('p', { class: 'msg error', role: 'alert' });
  const form = h('form', { class: 'card', 'aria-labelledby': 'create-key' },
    h('h2', { id: 'create-key' }, 'Create a widget key'), name.row, mode.row, allowlist.el, h('button', { type: 'submit', class: 'primary' }, 'Create key'), error);
  // A test key ignores its allowlist: the editor is for live keys only, and a test key is created with none.
  const test = () => mode.control.value === 'test';
  mode.control.addEventListener('change', () => (allowlist.el.hidden = test()));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    if (!test() && !(await allowlist.check())) return void (error.textContent = 'Fix the allowlist entries marked above first.');
    const body: Record<string, unknown> = { name: name.control.value, domain_allowlist: test() ? [] : allowlist.value() };
    body.mode = mode.control.value;
    try {
      const created = await ctx.api.send<CreatedWidgetKey>('POST', '/api/v1/widget-keys', body);
      await showCreated(ctx, form, table, created);
    } catch (err) {
      error.textContent = (err as Error).message;
    }
  });
  return form;
}

/** The one time the plaintext key exists outside the hub's answer: shown with its tags and copy buttons. */
function createdKey(ctx: PageContext, created: CreatedWidgetKey): Node[] {
  const session = ctx.api.session!;
  const tags = installTags(session.hub_url, created.key, session.loader);
  const copyable = (label: string, text: string) => {
    const id = `copy-${label.replace(/\W+/g, '-').toLowerCase()}`;
    return h('div', { class: 'copyable' },
      h('p', { id, class: 'label' }, label),
      h('pre', { 'aria-labelledby': id, tabindex: '0' }, h('code', {}, text)),
      h('button', { type: 'button', 'aria-label': `Copy ${label.toLowerCase()}`, onclick: async () => {
        try {
          await navigator.clipboard.writeText(text);
          ctx.notify(`${label} copied.`);
        } catch {
          ctx.notify('The browser refused the clipboard: select the text and copy it.');
        }
      } }, 'Copy'));
  };
  return [
    h('h2', { tabindex: '-1' }, `Key "${created.name}" created`),
    h('p', { class: 'warn' }, 'This is the only time the full key is shown. Paste the tag into your site now; the key itself is public, the allowlist keeps it safe.'),
    copyable('Key', created.key),
    copyable('Install tag', tags.tag),
    tags.pinned ? copyable('Tag pinned with Subresource Integrity', tags.pinned) : h('p', {}, 'The hub has no built loader, so there is no pinned tag.'),
    h('p', {}, h('a', { href: `#/keys/${seg(created.id)}` }, `Manage "${created.name}"`)),
  ];
}

async function keyPage(ctx: PageContext, id: string): Promise<void> {
  const key = (await allKeys(ctx)).find((k) => k.id === id);
  heading(ctx, key ? `Widget key "${key.name}"` : 'Widget key');
  if (!key) return void ctx.main.append(h('p', {}, `No key ${id} in this account. `, h('a', { href: '#/keys' }, 'All keys')));
  const reload = () => keysPage(ctx, [id]).then(() => undefined);
  const save: Save = async (patch, done, error) => {
    error.textContent = '';
    try {
      await ctx.api.send<Key>('PATCH', `/api/v1/widget-keys/${seg(id)}`, patch);
      ctx.main.replaceChildren();
      await reload();
      ctx.notify(done);
    } catch (err) {
      error.textContent = (err as Error).message;
    }
  };

  ctx.main.append(
    h('p', {}, h('a', { href: '#/keys' }, 'All keys')),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Key'), h('dd', {}, h('code', {}, `…${key.key_last8}`)),
      h('dt', {}, 'Mode'), h('dd', {}, key.mode === 'test' ? `test: works on ${TEST_KEY_HOSTS} only` : 'live'),
      h('dt', {}, 'Last used'), h('dd', {}, when(key.last_used_at)),
      h('dt', {}, 'Status'), h('dd', {}, status(key))),
  );

  // Rename.
  const name = field('Name', h('input', { type: 'text', value: key.name, required: true, maxlength: 100, autocomplete: 'off' }));
  const renameError = h('p', { class: 'msg error', role: 'alert' });
  const rename = h('form', { class: 'card', 'aria-labelledby': 'rename' }, h('h2', { id: 'rename' }, 'Name'), name.row, h('button', { type: 'submit' }, 'Rename'), renameError);
  rename.addEventListener('submit', (e) => {
    e.preventDefault();
    void save({ name: name.control.value }, 'Renamed.', renameError);
  });

  ctx.main.append(h('div', { class: 'cols' },
    h('div', {}, await blockedOrigins(ctx, key, save), originTester(ctx, id)),
    h('div', {}, key.mode === 'test' ? testKeyReach() : allowlistForm(ctx, key, save), rename, lifecycle(ctx, key, save))));
}

type Save = (patch: Record<string, unknown>, done: string, error: HTMLElement) => Promise<void>;

function allowlistForm(ctx: PageContext, key: Key, save: Save): HTMLElement {
  const editor = allowlistEditor(ctx.api, key.domain_allowlist);
  const error = h('p', { class: 'msg error', role: 'alert' });
  const form = h('form', { class: 'card', 'aria-labelledby': 'allowlist' }, h('h2', { id: 'allowlist' }, 'Allowlist'), editor.el, h('button', { type: 'submit', class: 'primary' }, 'Save allowlist'), error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!(await editor.check())) return void (error.textContent = 'Fix the entries marked above first.');
    await save({ domain_allowlist: editor.value() }, 'Allowlist saved.', error);
  });
  return form;
}

/** In place of the allowlist on a test key's page: editing that list would change nothing. */
const testKeyReach = () =>
  h('section', { class: 'card', 'aria-labelledby': 'reach' },
    h('h2', { id: 'reach' }, 'Where it works'),
    h('p', {}, `A test key works on pages of ${TEST_KEY_HOSTS}, on any port and whatever its allowlist says, and nowhere else. To put the widget on your site, `, h('a', { href: '#/keys' }, 'create a live key'), '.'));

function originTester(ctx: PageContext, id: string): HTMLElement {
  const origin = field('Origin', h('input', { type: 'url', placeholder: 'https://shop.example.com', autocomplete: 'off', spellcheck: 'false' }), 'The page\'s origin: scheme, host and port, as the browser sends it.');
  const answer = h('p', { role: 'status', class: 'answer' });
  const form = h('form', { class: 'card', 'aria-labelledby': 'tester' }, h('h2', { id: 'tester' }, 'Test an origin'), origin.row, h('button', { type: 'submit' }, 'Test'), answer);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const r = await ctx.api.send<OriginCheck>('POST', `/api/v1/widget-keys/${seg(id)}/check-origin`, { origin: origin.control.value });
      answer.textContent = r.allowed
        ? allowedText(origin.control.value, r.matched_entry)
        : `Refused: ${(r.reason ?? '').replace(/\.?$/, '.')}${r.suggested_entry ? ` To allow it, add ${r.suggested_entry}.` : ''}`;
    } catch (err) {
      answer.textContent = (err as Error).message;
    }
  });
  return form;
}

async function blockedOrigins(ctx: PageContext, key: Key, save: Save): Promise<HTMLElement> {
  const section = h('section', { class: 'card', 'aria-labelledby': 'blocked' }, h('h2', { id: 'blocked' }, 'Refused origins'));
  const error = h('p', { class: 'msg error', role: 'alert' });
  let blocked: BlockedOrigin[];
  try {
    blocked = (await ctx.api.get<BlockedOriginList>(`/api/v1/widget-keys/${seg(key.id)}/blocked-origins`)).data;
  } catch (err) {
    section.append(h('p', {}, (err as Error).message));
    return section;
  }
  if (!blocked.length) {
    section.append(h('p', {}, 'No page has been refused with this key.'));
    return section;
  }
  const allowButton = (b: BlockedOrigin) =>
    h('button', { type: 'button', class: 'small', 'aria-label': `Allow ${b.origin}`, onclick: async () => {
      error.textContent = '';
      try {
        const check = await ctx.api.send<OriginCheck>('POST', `/api/v1/widget-keys/${seg(key.id)}/check-origin`, { origin: b.origin });
        if (check.allowed) return void (error.textContent = `${b.origin} is already allowed, by ${check.matched_entry}.`);
        if (!check.suggested_entry) return void (error.textContent = `${b.origin} cannot be allowed: ${check.reason}`);
        const entry = check.suggested_entry;
        const ok = await confirmDialog(
          'Allow this origin?',
          [h('p', {}, 'This entry will be added to the allowlist of ', h('strong', {}, key.name), ':'), h('p', {}, h('code', { class: 'entry' }, entry))],
          `Add ${entry}`,
        );
        if (ok) await save({ domain_allowlist: [...key.domain_allowlist, entry] }, `${entry} added to the allowlist.`, error);
      } catch (err) {
        error.textContent = (err as Error).message;
      }
    } }, 'Allow');
  section.append(
    h('table', {},
      h('caption', { class: 'sr' }, 'Origins this key refused, newest first'),
      h('thead', {}, h('tr', {}, ...['Origin', 'Why', 'Times', 'Last seen', ''].map((c, i) => h('th', { scope: 'col' }, c || h('span', { class: 'sr' }, i === 4 ? 'Action' : ''))))),
      h('tbody', {}, ...blocked.map((b) =>
        h('tr', {}, h('th', { scope: 'row' }, b.origin ? h('code', {}, b.origin) : h('em', {}, 'no Origin header')), h('td', {}, b.type), h('td', {}, String(b.count)), h('td', {}, when(b.last_seen_at)),
          h('td', {}, b.type === 'origin_not_allowed' ? allowButton(b) : ''))))),
    error,
  );
  return section;
}

function lifecycle(ctx: PageContext, key: Key, save: Save): HTMLElement {
  const error = h('p', { class: 'msg error', role: 'alert' });
  const revoke = key.disabled_at
    ? h('button', { type: 'button', onclick: () => save({ disabled: false }, 'Key restored: it works again.', error) }, 'Restore')
    : h('button', { type: 'button', class: 'danger', onclick: async () => {
        if (await confirmDialog('Revoke this key?', [h('p', {}, `Every site using "${key.name}" loses its widget at once. You can restore it later.`)], 'Revoke', true)) {
          await save({ disabled: true }, 'Key revoked.', error);
        }
      } }, 'Revoke');
  // What DELETE will do, said before it is done (DESIGN.md: never used → hard delete; used → disabled).
  const deleteSays = key.last_used_at
    ? 'This key has been used, so it will be disabled and kept, not deleted.'
    : 'This key was never used, so it will be deleted for good.';
  const del = h('button', { type: 'button', class: 'danger', onclick: async () => {
    if (!(await confirmDialog('Delete this key?', [h('p', {}, deleteSays)], key.last_used_at ? 'Disable' : 'Delete for good', true))) return;
    try {
      const r = await ctx.api.send<DeletedWidgetKey>('DELETE', `/api/v1/widget-keys/${seg(key.id)}`);
      location.hash = '#/keys';
      ctx.notify(r.deleted ? `"${key.name}" deleted.` : `"${key.name}" was used, so it was disabled instead.`);
    } catch (err) {
      error.textContent = (err as Error).message;
    }
  } }, 'Delete');
  return h('section', { class: 'card', 'aria-labelledby': 'lifecycle' },
    h('h2', { id: 'lifecycle' }, 'Revoke or delete'),
    h('p', {}, key.disabled_at ? 'This key is revoked: no site can use it.' : 'Revoking stops the key everywhere at once.'),
    revoke, h('p', { class: 'hint' }, deleteSays), del, error);
}
