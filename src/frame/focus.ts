/**
 * Keyboard focus stays in the panel while it covers the whole page (full screen on a phone): Tab from
 * the last control goes to the first, Shift+Tab from the first to the last, so focus never reaches host
 * links hidden under the panel (WCAG 2.4.11); the loader makes the host body inert meanwhile, which
 * covers focus that comes back from the browser's own controls. Escape still closes the panel, so this
 * is not a keyboard trap in the sense of WCAG 2.1.2.
 */
import { PANEL_HEIGHT, PANEL_WIDTH } from '../protocol/geometry.js';

/**
 * The loader sizes the iframe to PANEL_WIDTH × PANEL_HEIGHT (or less, never wider) for the panel, and
 * to the whole viewport below FULL_SCREEN_BELOW: any other size of the open frame is full screen.
 */
export function coversPage(doc: Document): boolean {
  const view = doc.defaultView;
  // The frame's own viewport: the iframe's size (the frame document never shows scrollbars).
  return !!view && (view.innerWidth != PANEL_WIDTH || view.innerHeight > PANEL_HEIGHT);
}

export function keepFocusIn(doc: Document, panel: HTMLElement): void {
  doc.addEventListener('keydown', (e) => {
    if (e.key != 'Tab' || panel.hidden || !coversPage(doc)) return;
    const controls = [...panel.querySelectorAll<HTMLElement>('button, textarea, input, a[href]')].filter((c) => !(c as HTMLButtonElement).disabled);
    const first = controls[0];
    const last = controls[controls.length - 1];
    const at = doc.activeElement;
    if (!first || !last) return;
    if (e.shiftKey ? at == first || !panel.contains(at) : at == last) {
      e.preventDefault();
      (e.shiftKey ? last : first).focus();
    }
  });
}
