/**
 * Event ids of the conversation stream: `<seq>` or `<seq>.<chars>`. `seq` is the number of the last
 * stored change the reader has (repo.ts); `chars`, present while a reply is streaming, is how much of
 * that reply's text it has. Both only grow, so the id after each event is the reader's whole position,
 * and `Last-Event-ID` resumes exactly there: nothing stored twice, no character twice.
 */
export interface Cursor {
  seq: number;
  /** Characters of the streaming reply the reader has; null when it knows of none. */
  chars: number | null;
}

export const START: Cursor = { seq: 0, chars: null };

const FORM = /^(\d{1,15})(?:\.(\d{1,9}))?$/;

/** The cursor of a `Last-Event-ID` header; `START` without one, null when it is not one of ours. */
export function parseCursor(raw: string | string[] | undefined): Cursor | null {
  if (raw === undefined || raw === '') return START;
  const m = typeof raw === 'string' ? FORM.exec(raw.trim()) : null;
  if (!m) return null;
  return { seq: Number(m[1]), chars: m[2] === undefined ? null : Number(m[2]) };
}

export const formatCursor = (c: Cursor): string => (c.chars === null ? String(c.seq) : `${c.seq}.${c.chars}`);
