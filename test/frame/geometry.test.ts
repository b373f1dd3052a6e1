// frame.css cannot import src/protocol/geometry.ts, so this reads the CSS text and holds it to the numbers
// the loader sizes the iframe with.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAUNCHER_BOX, LAUNCHER_INSET, LAUNCHER_MARGIN, LAUNCHER_SIZE, PANEL_BOTTOM, PANEL_HEIGHT, PANEL_MARGIN, PANEL_WIDTH } from '../../src/protocol/geometry.js';

const css = readFileSync(new URL('../../src/frame/frame.css', import.meta.url), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');

/** The declarations of the first rule whose selector list is exactly `selector`, as a map. */
function rule(selector: string): Map<string, string> {
  const m = new RegExp(`(?:^|})\\s*${selector.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\{([^}]*)\\}`, 'm').exec(css);
  if (!m) throw new Error(`frame.css has no rule for ${selector}`);
  return new Map(m[1]!.split(';').filter((d) => d.includes(':')).map((d) => [d.slice(0, d.indexOf(':')).trim(), d.slice(d.indexOf(':') + 1).trim()]));
}
const px = (v: string | undefined) => {
  if (v === '0') return 0;
  const m = /^(-?\d+(?:\.\d+)?)px$/.exec(v ?? '');
  if (!m) throw new Error(`not a px length: ${v}`);
  return Number(m[1]);
};

describe('frame.css agrees with src/protocol/geometry.ts', () => {
  it('draws the launcher LAUNCHER_SIZE wide, centred in the LAUNCHER_BOX', () => {
    const launch = rule('.kv-launch');
    expect(px(launch.get('width'))).toBe(LAUNCHER_SIZE);
    expect(px(launch.get('height'))).toBe(LAUNCHER_SIZE);
    expect(launch.get('position')).toBe('fixed');
    expect(px(launch.get('right'))).toBe((LAUNCHER_BOX - LAUNCHER_SIZE) / 2);
    expect(px(launch.get('bottom'))).toBe((LAUNCHER_BOX - LAUNCHER_SIZE) / 2);
  });

  it("keeps the launcher's shadow and focus ring inside the box's margin", () => {
    const [x, y, blur] = rule('.kv-launch').get('box-shadow')!.split(/\s+/).slice(0, 3).map((p) => px(p));
    expect(Math.abs(x!) + blur!).toBeLessThanOrEqual(LAUNCHER_MARGIN);
    expect(Math.abs(y!) + blur!).toBeLessThanOrEqual(LAUNCHER_MARGIN);
    const ring = rule('.kv-launch:focus-visible');
    const outline = px(ring.get('outline')!.split(/\s+/)[0]);
    const offset = px(ring.get('outline-offset') ?? rule(':focus-visible').get('outline-offset'));
    expect(outline + offset).toBeLessThanOrEqual(LAUNCHER_MARGIN);
  });

  it('goes full screen exactly when the open iframe is not the PANEL_WIDTH × PANEL_HEIGHT panel', () => {
    const squeezed = Number(/@media \(max-width:(\d+)px\)\{\.kv-panel\{opacity:0\}\}/.exec(css)![1]);
    expect(css).toContain(`@media (min-width:${squeezed + 1}px) and (max-width:${PANEL_WIDTH - 1}px),(min-width:${PANEL_WIDTH + 1}px),(min-height:${PANEL_HEIGHT + 1}px){\n.kv-panel{inset:0;border-radius:0;`);
  });

  it('hides a squeezed panel only below the panel width and above the launcher box', () => {
    const m = /@media \(max-width:(\d+)px\)\{\.kv-panel\{opacity:0\}\}/.exec(css);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(LAUNCHER_BOX);
    expect(Number(m![1])).toBeLessThan(PANEL_WIDTH);
  });

  it('keeps the launcher where it was once the iframe grows into the corner', () => {
    expect(css).toContain(`@media (min-width:121px){.kv-launch{right:${LAUNCHER_INSET + LAUNCHER_MARGIN}px;bottom:${LAUNCHER_INSET + LAUNCHER_MARGIN}px}`);
  });

  it('floats the card PANEL_MARGIN from the edges, above the launcher box, with its shadow inside the margin', () => {
    const panel = rule('.kv-panel');
    expect(['top', 'left', 'right'].map((side) => px(panel.get(side)))).toEqual([PANEL_MARGIN, PANEL_MARGIN, PANEL_MARGIN]);
    expect(px(panel.get('bottom'))).toBe(PANEL_BOTTOM);
    expect(PANEL_BOTTOM).toBeGreaterThanOrEqual(LAUNCHER_INSET + LAUNCHER_BOX);
    const [x, y, blur] = panel.get('box-shadow')!.split(/\s+/).slice(0, 3).map((p) => px(p));
    expect(Math.abs(x!) + blur!).toBeLessThanOrEqual(PANEL_MARGIN);
    expect(blur! - Math.abs(y!)).toBeLessThanOrEqual(PANEL_MARGIN);
    // 20 px from the viewport's edges, the common floating card.
    expect(PANEL_MARGIN).toBe(20);
  });

  it('stops scroll chaining from the frame into the host page', () => {
    expect(rule('html,body').get('overscroll-behavior')).toBe('none');
  });
});
