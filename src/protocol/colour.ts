/**
 * Colour arithmetic shared by the frame (which paints the accent) and the hub (which warns the owner
 * about an accent that needs help): WCAG 2.2 relative luminance and contrast ratio (1.4.3, 1.4.11).
 * One copy, so that what the hub warns about is what the frame does.
 */

/** Text on a surface needs 4.5:1 (WCAG 1.4.3); a control against what lies around it, 3:1 (1.4.11). */
export const TEXT_CONTRAST = 4.5;
export const GRAPHIC_CONTRAST = 3;

/** The two inks the widget writes on an accent. */
export const LIGHT_INK = '#ffffff';
export const DARK_INK = '#111111';

const channels = (hex: string): [number, number, number] => {
  let h = hex.slice(1);
  if (h.length == 3) h = h.replace(/./g, '$&$&');
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
};

export function luminance(hex: string): number {
  const [r, g, b] = channels(hex).map((v) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * How the widget paints an accent. `ink` is whichever of the two inks contrasts more with the accent.
 * `surface` is the colour of the accent's text-bearing surfaces (header, the visitor's bubbles, Send):
 * the accent itself when its ink reaches 4.5:1, else the accent darkened (towards black, in steps of
 * 4 %) until white on it does. (Neither ink reaches 4.5:1 only for luminances between about 0.18 and
 * 0.20, where both sit near 4.4:1.) `ring`: the accent is under 3:1 against a white page, so the
 * launcher needs an outline to be seen there.
 */
export function paint(accent: string): { surface: string; ink: string; ring: boolean } {
  const ring = contrast(accent, LIGHT_INK) < GRAPHIC_CONTRAST;
  const ink = contrast(accent, LIGHT_INK) >= contrast(accent, DARK_INK) ? LIGHT_INK : DARK_INK;
  if (contrast(accent, ink) >= TEXT_CONTRAST) return { surface: accent, ink, ring };
  const rgb = channels(accent);
  for (let k = 0.96; ; k -= 0.04) {
    const surface = '#' + rgb.map((v) => Math.round(v * k).toString(16).padStart(2, '0')).join('');
    if (contrast(surface, LIGHT_INK) >= TEXT_CONTRAST) return { surface, ink: LIGHT_INK, ring };
  }
}
