import { Window } from 'happy-dom';
import { afterEach, describe, expect, it } from 'vitest';
import { coversPage, keepFocusIn } from '../../src/frame/focus.js';
import { PANEL_HEIGHT, PANEL_WIDTH } from '../../src/protocol/geometry.js';

/** A frame document of the given size with a panel of three controls, the trap installed. */
function frameOf(width: number, height: number) {
  const win = new Window({ width, height });
  const doc = win.document as unknown as Document;
  doc.body.innerHTML = '<section id="p"><button id="a">close</button><textarea id="b"></textarea><button id="c">send</button></section><button id="launch">open</button>';
  const panel = doc.getElementById('p')!;
  keepFocusIn(doc, panel);
  const tab = (shift = false) => {
    const e = new win.KeyboardEvent('keydown', { key: 'Tab', shiftKey: shift, cancelable: true, bubbles: true });
    (doc.activeElement ?? doc.body).dispatchEvent(e as unknown as Event);
    return e.defaultPrevented;
  };
  return { win, doc, panel, tab, focus: (id: string) => (doc.getElementById(id) as HTMLElement).focus(), active: () => doc.activeElement?.id };
}

let open: Window[] = [];
afterEach(async () => {
  for (const w of open.splice(0)) await w.happyDOM.close();
});

describe('focus while the panel covers the page', () => {
  it('tells the panel box from the whole viewport', () => {
    const sizes: [number, number, boolean][] = [
      [PANEL_WIDTH, PANEL_HEIGHT, false],
      [PANEL_WIDTH, 500, false],
      [375, 667, true],
      [PANEL_WIDTH, 900, true],
      [470, 600, true],
    ];
    for (const [w, h, covers] of sizes) {
      const f = frameOf(w, h);
      open.push(f.win);
      expect([w, h, coversPage(f.doc)]).toEqual([w, h, covers]);
    }
  });

  it('wraps Tab from the last control to the first, and Shift+Tab back, when full screen', () => {
    const f = frameOf(375, 667);
    open.push(f.win);
    f.focus('c');
    expect(f.tab()).toBe(true);
    expect(f.active()).toBe('a');
    expect(f.tab(true)).toBe(true);
    expect(f.active()).toBe('c');
  });

  it('leaves Tab alone in the panel beside the page, and in a closed panel', () => {
    const f = frameOf(PANEL_WIDTH, PANEL_HEIGHT);
    open.push(f.win);
    f.focus('c');
    expect(f.tab()).toBe(false);
    const g = frameOf(375, 667);
    open.push(g.win);
    g.panel.hidden = true;
    g.focus('launch');
    expect(g.tab()).toBe(false);
  });
});
