/**
 * The allowlist editor: one input per entry, each checked as the owner types by the hub's own rules
 * (POST /api/v1/allowlist/validate: the messages a save would answer, and the stored form). The
 * console has no copy of those rules.
 */
import type { AllowlistValidation } from '../protocol/api.js';
import type { Api } from './api.js';
import { h, uid } from './dom.js';

export interface AllowlistEditor {
  el: HTMLElement;
  /** The entries as typed, empty ones left out. */
  value(): string[];
  /** Resolves once the latest check has answered: true when a save would be accepted. */
  check(): Promise<boolean>;
}

const CHECK_DELAY_MS = 250;

export function allowlistEditor(api: Api, initial: string[], legend = 'Allowed origins'): AllowlistEditor {
  const list = h('ul', { class: 'entries' });
  const whole = h('p', { class: 'msg error', 'aria-live': 'polite' });
  const rows: { input: HTMLInputElement; message: HTMLElement; li: HTMLElement }[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latest: Promise<boolean> = Promise.resolve(true);

  const schedule = () => {
    clearTimeout(timer);
    latest = new Promise((resolve) => (timer = setTimeout(() => run().then(resolve, () => resolve(false)), CHECK_DELAY_MS)));
  };

  async function run(): Promise<boolean> {
    const filled = rows.filter((r) => r.input.value.trim() !== '');
    const result = await api.send<AllowlistValidation>('POST', '/api/v1/allowlist/validate', { domain_allowlist: filled.map((r) => r.input.value) });
    for (const r of rows) {
      r.message.textContent = '';
      r.message.className = 'msg';
      r.input.removeAttribute('aria-invalid');
    }
    result.entries.forEach((e, i) => {
      const r = filled[i]!;
      if (e.error) {
        // The hub names the entry by its index in the list it was given; here the field itself is the name.
        r.message.textContent = e.error.replace(/^domain_allowlist\[\d+\]: /, '');
        r.message.className = 'msg error';
        r.input.setAttribute('aria-invalid', 'true');
      } else if (e.normalized !== e.entry) {
        r.message.textContent = `Saved as ${e.normalized}`;
      }
    });
    whole.textContent = result.error ?? '';
    return result.valid;
  }

  function addRow(value = '', focus = false) {
    const id = uid('origin');
    const input = h('input', { id, type: 'text', value, spellcheck: 'false', autocomplete: 'off', placeholder: 'shop.example.com' });
    const message = h('p', { class: 'msg', id: uid('m'), 'aria-live': 'polite' });
    input.setAttribute('aria-describedby', message.id);
    const row = { input, message, li: h('li') };
    const remove = h('button', { type: 'button', class: 'small', onclick: () => {
      rows.splice(rows.indexOf(row), 1);
      row.li.remove();
      relabel();
      schedule();
      add.focus();
    } }, 'Remove');
    row.li.append(h('label', { for: id }), input, remove, message);
    input.addEventListener('input', schedule);
    rows.push(row);
    list.append(row.li);
    relabel();
    if (focus) input.focus();
  }

  const relabel = () =>
    rows.forEach((r, i) => {
      r.li.querySelector('label')!.textContent = `Entry ${i + 1}`;
      r.li.querySelector('button')!.setAttribute('aria-label', `Remove entry ${i + 1}`);
    });

  const add = h('button', { type: 'button', class: 'small', onclick: () => addRow('', true) }, 'Add an entry');
  for (const entry of initial) addRow(entry);
  if (rows.length === 0) addRow();
  const el = h('fieldset', { class: 'allowlist' },
    h('legend', {}, legend),
    h('p', { class: 'hint' }, 'One origin pattern per entry: shop.example.com, *.example.com, localhost:3000, http://example.com. An empty list refuses every site.'),
    list, add, whole);
  if (initial.length) schedule();
  return {
    el,
    value: () => rows.map((r) => r.input.value.trim()).filter((v) => v !== ''),
    check: () => {
      // A check may be waiting for the typing pause: run it now.
      clearTimeout(timer);
      latest = run().catch(() => false);
      return latest;
    },
  };
}
