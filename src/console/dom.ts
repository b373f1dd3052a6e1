/**
 * Building the console's DOM: elements, attributes and text nodes only. Names, greetings, origins and
 * visitors' messages are other people's words: none of it is ever parsed as HTML.
 */
type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'function') e.addEventListener(name.slice(2), value);
    else if (value === true) e.setAttribute(name, '');
    else if (value !== false && value !== null && value !== undefined) e.setAttribute(name, String(value));
  }
  append(e, ...children);
  return e;
}

export function append(parent: Element, ...children: Child[]): void {
  for (const c of children) if (c) parent.append(c);
}

/** Replaces every child of `parent`. */
export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** A short local date and time; "never" for null. */
export const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' }) : 'never');

let ids = 0;
/** A fresh element id, for label ↔ control and aria-describedby pairs. */
export const uid = (base: string) => `${base}-${++ids}`;

/** A labelled control: the label, the control, and a message line the control is described by. */
export function field<C extends HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(label: string, control: C, hint?: string) {
  control.id ||= uid('f');
  const message = h('p', { class: 'msg', id: uid('m'), 'aria-live': 'polite' });
  const help = hint ? h('p', { class: 'hint', id: uid('h') }, hint) : null;
  control.setAttribute('aria-describedby', [help?.id, message.id].filter(Boolean).join(' '));
  const row = h('div', { class: 'field' }, h('label', { for: control.id }, label), help, control, message);
  return { row, control, message };
}

/**
 * A modal confirmation (<dialog>: focus moves in, Escape cancels, focus returns where it was).
 * Resolves true only for the confirming button.
 */
export function confirmDialog(title: string, body: Child[], confirmLabel: string, danger = false): Promise<boolean> {
  return new Promise((resolve) => {
    const titleId = uid('dlg');
    const dialog = h('dialog', { 'aria-labelledby': titleId });
    const done = (ok: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(ok);
    };
    const cancel = h('button', { type: 'button', onclick: () => done(false) }, 'Cancel');
    const ok = h('button', { type: 'button', class: danger ? 'danger' : 'primary', onclick: () => done(true) }, confirmLabel);
    append(dialog, h('h2', { id: titleId }, title), ...body, h('div', { class: 'actions' }, cancel, ok));
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      done(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
