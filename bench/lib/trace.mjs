/**
 * The loader's main-thread time on the customer's page, from a Chrome trace: what DevTools' Performance
 * panel counts as Scripting for it. On the page's renderer main thread (the one that evaluated
 * loader.js), from the loader's evaluation on, the union of:
 *   - EvaluateScript of loader.js (compile + top-level run),
 *   - FunctionCall events in loader.js (its listeners and timers: the frame's hello, the `ready` port message),
 *   - RunMicrotasks (its promise continuations: the handshake response, JSON, mounting the iframe).
 * Microtasks carry no script URL; the bench page runs no other script after the loader, and any event of
 * another script is reported as `other` and left out, so the attribution holds.
 */
export const TRACE_CATEGORIES = ['devtools.timeline', 'v8.execute'];

/** `scriptUrl`: loader.js, or for the floor page the page itself (its inline script). */
export function analyzeTrace(trace, scriptUrl) {
  const events = (trace.traceEvents ?? trace).filter((e) => e.ph === 'X' && typeof e.dur === 'number');
  const evaluate = events.find((e) => e.name === 'EvaluateScript' && e.args?.data?.url === scriptUrl);
  if (!evaluate) throw new Error(`the trace has no evaluation of ${scriptUrl}`);
  const thread = events
    .filter((e) => e.pid === evaluate.pid && e.tid === evaluate.tid && e.ts >= evaluate.ts)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const url = (e) => e.args?.data?.url ?? '';
  const parts = { evaluate: 0, callbacks: 0, microtasks: 0, other: 0 };
  let coveredUntil = -Infinity;
  for (const e of thread) {
    let part = null;
    if (e.name === 'EvaluateScript' || e.name === 'FunctionCall') {
      if (url(e) === scriptUrl) part = e.name === 'EvaluateScript' ? 'evaluate' : 'callbacks';
      else if (url(e)) part = 'other';
    } else if (e.name === 'RunMicrotasks') part = 'microtasks';
    if (!part) continue;
    const end = e.ts + e.dur;
    // Nested inside an event already counted (a listener inside an evaluation, microtasks after a
    // listener in the same task): counted once, as the outer one.
    if (e.ts < coveredUntil) {
      if (end > coveredUntil && part !== 'other') {
        parts[part] += end - coveredUntil;
        coveredUntil = end;
      }
      continue;
    }
    parts[part] += e.dur;
    coveredUntil = end;
  }
  const ms = (us) => us / 1000;
  return {
    totalMs: ms(parts.evaluate + parts.callbacks + parts.microtasks),
    parts: [
      { name: 'evaluate', ms: ms(parts.evaluate) },
      { name: 'listeners', ms: ms(parts.callbacks) },
      { name: 'microtasks', ms: ms(parts.microtasks) },
      ...(parts.other ? [{ name: 'other scripts (not counted)', ms: ms(parts.other) }] : []),
    ],
  };
}
