/**
 * What the host page reported with `Kataven('context', {…})` (src/protocol/messages.ts ContextMessage),
 * made fit to send: a plain JSON object of at most MAX_REPORTED_CONTEXT_BYTES. An oversized object
 * keeps its first top-level entries that fit and loses the rest (a byte cut through the JSON text would
 * leave no JSON at all), and the site's developer is told in the console which keys went.
 */
import { MAX_REPORTED_CONTEXT_BYTES } from '../protocol/agent-webhook.js';

const bytes = (s: string) => new TextEncoder().encode(s).length;

/** `null` for anything but a JSON object (arrays, strings, values JSON cannot hold). */
export function reportedContext(value: unknown, warn: (text: string) => void = () => {}): Record<string, unknown> | null {
  if (!value || typeof value != 'object' || Array.isArray(value)) return null;
  let json: string;
  try {
    // Through JSON and back: drops functions and undefined, and throws on cycles and BigInt.
    json = JSON.stringify(value);
  } catch {
    warn('Kataven("context") ignored: not JSON');
    return null;
  }
  const whole = JSON.parse(json) as Record<string, unknown>;
  if (bytes(json) <= MAX_REPORTED_CONTEXT_BYTES) return whole;
  const kept: Record<string, unknown> = {};
  const dropped: string[] = [];
  // `{}` is 2 bytes; each entry adds its JSON and a comma.
  let size = 2;
  for (const [k, v] of Object.entries(whole)) {
    const entry = bytes(JSON.stringify({ [k]: v })) - 2 + (size > 2 ? 1 : 0);
    if (size + entry <= MAX_REPORTED_CONTEXT_BYTES) {
      kept[k] = v;
      size += entry;
    } else dropped.push(k);
  }
  warn(`Kataven("context") is over ${MAX_REPORTED_CONTEXT_BYTES} bytes of JSON; left out: ${dropped.join(', ')}`);
  return kept;
}
