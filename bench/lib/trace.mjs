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

/**
 * Also the V8 sampling profiler (100 µs, in the trace) and the scheduler's top-level tasks: what
 * loaderCpu needs.
 */
export const PROFILE_CATEGORIES = [...TRACE_CATEGORIES, 'disabled-by-default-v8.cpu_profiler', 'disabled-by-default-v8.cpu_profiler.hires', 'toplevel', 'disabled-by-default-v8.compile'];

/**
 * The loader's CPU time on the page's main thread, from a trace taken with PROFILE_CATEGORIES: each
 * top-level task's thread time (`tdur`: CPU, not wall time) shared out by what the profiler's samples in
 * that task were running. `ownMs`: functions in loader.js (the issue's "own JavaScript"); `apisMs`:
 * native functions the loader called (inserting the iframe, fetch(), setProperty), which any embed doing
 * that work pays; `compileMs`: V8 compiling loader.js (v8.compile events' thread time); `lazyCompiles`:
 * functions V8 compiled on the main thread on their first call, inside the loader's evaluation or its
 * callbacks (`V8.CompileCode`; none with the compile hint build.mjs puts first in the file). `sampled`:
 * false when the profiler took no sample during the loader's evaluation (in a new renderer it can start
 * sampling after the loader ran): such a view measured nothing, and its 0 ms must not count.
 *
 * Why not the profiler's own time deltas: a sample's delta is the wall time since the one before, and
 * on a loaded machine the sampler thread misses 10–70 ms at a time, so one sample in a loader function
 * could count for 70 ms the main thread spent waiting for a core. Thread time per task is the CPU the
 * main thread got; the samples only say how to share it out.
 */
export function loaderCpu(trace, scriptUrl) {
  const all = trace.traceEvents ?? trace;
  const evaluate = all.find((e) => e.name === 'EvaluateScript' && e.ph === 'X' && e.args?.data?.url === scriptUrl);
  if (!evaluate) throw new Error(`the trace has no evaluation of ${scriptUrl}`);
  const { pid, tid } = evaluate;
  const profile = all.find((e) => e.name === 'Profile' && e.pid === pid && e.tid === tid);
  if (!profile) throw new Error('the trace has no CPU profile of the page (trace with PROFILE_CATEGORIES)');
  // Chunks come from the sampler's thread, tied to the profile by its id; nodes arrive with the chunk
  // of their first sample.
  const nodes = new Map();
  const samples = [];
  let t = profile.args.data.startTime;
  for (const chunk of all.filter((e) => e.name === 'ProfileChunk' && e.pid === pid && e.id === profile.id).sort((a, b) => a.ts - b.ts)) {
    const cpu = chunk.args.data.cpuProfile ?? {};
    for (const n of cpu.nodes ?? []) nodes.set(n.id, n);
    (cpu.samples ?? []).forEach((id, i) => samples.push({ t: (t += chunk.args.data.timeDeltas[i]), id }));
  }
  samples.sort((a, b) => a.t - b.t);
  /** own: a loader function; api: a native function whose nearest script caller is the loader. */
  const kind = (id) => {
    const { callFrame } = nodes.get(id);
    if (callFrame.url === scriptUrl) return 'own';
    if (callFrame.url || !callFrame.functionName || callFrame.functionName.startsWith('(')) return 'other';
    for (let up = nodes.get(id).parent; up !== undefined; up = nodes.get(up).parent) {
      const url = nodes.get(up).callFrame.url;
      if (url) return url === scriptUrl ? 'api' : 'other';
    }
    return 'other';
  };
  const tasks = all
    .filter((e) => e.name === 'ThreadControllerImpl::RunTask' && e.ph === 'X' && e.pid === pid && e.tid === tid)
    .sort((a, b) => a.ts - b.ts);
  const us = { own: 0, api: 0 };
  let next = 0;
  let end = -Infinity;
  for (const task of tasks) {
    if (task.ts < end) continue; // nested in the task before: counted with it
    end = task.ts + task.dur;
    while (next < samples.length && samples[next].t < task.ts) next++;
    const count = { own: 0, api: 0, other: 0 };
    let n = 0;
    for (; next < samples.length && samples[next].t <= end; next++, n++) count[kind(samples[next].id)]++;
    if (!count.own && !count.api) continue;
    const cpu = task.tdur ?? task.dur;
    us.own += (cpu * count.own) / n;
    us.api += (cpu * count.api) / n;
  }
  const compile = all.filter((e) => e.name === 'v8.compile' && e.ph === 'X' && e.pid === pid && e.tid === tid && e.args?.data?.url === scriptUrl);
  const mine = all.filter((e) => e.ph === 'X' && e.pid === pid && e.tid === tid && (e.name === 'EvaluateScript' || e.name === 'FunctionCall') && e.args?.data?.url === scriptUrl);
  const lazy = all.filter((e) => e.name === 'V8.CompileCode' && e.ph === 'X' && e.pid === pid && e.tid === tid && mine.some((m) => m.ts <= e.ts && e.ts <= m.ts + m.dur));
  return {
    sampled: samples.some((s) => s.t >= evaluate.ts && s.t <= evaluate.ts + evaluate.dur),
    ownMs: us.own / 1000,
    apisMs: us.api / 1000,
    compileMs: compile.reduce((s, e) => s + (e.tdur ?? e.dur), 0) / 1000,
    lazyCompiles: lazy.length,
    lazyCompileMs: lazy.reduce((s, e) => s + (e.tdur ?? e.dur), 0) / 1000,
  };
}
