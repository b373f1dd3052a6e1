/** A log stream for a test hub: every JSON line the hub writes, kept for assertions. */
import { Writable } from 'node:stream';

export function logLines(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk, _enc, done) => (lines.push(...String(chunk).split('\n').filter(Boolean)), done()) });
  return { stream, lines };
}
