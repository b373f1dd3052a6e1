/** Plain-text output of the admin commands: aligned columns for lists, `label: value` lines for one record. */

/** Columns padded to their widest cell; the last column is not padded, so no line ends in spaces. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(headers), ...rows.map(line)].join('\n');
}

export function record(fields: [string, string][]): string {
  const width = Math.max(...fields.map(([label]) => label.length)) + 1;
  return fields.map(([label, value]) => `${`${label}:`.padEnd(width)} ${value}`).join('\n');
}

/** `2026-11-27T14:54:54.123Z` → `2026-11-27 14:54 UTC`; null → the given word. */
export const when = (iso: string | null, none = 'never') => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : none);

export const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
