/**
 * bench/lib/trace.mjs's loaderCpu on a hand-made trace: the bench's "loader's own JavaScript" figure
 * is only as good as this arithmetic.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the bench, with no types
import { loaderCpu } from '../../bench/lib/trace.mjs';

const LOADER = 'https://hub.example/widget/v1/loader.js';
const PAGE = { pid: 1, tid: 1 };
const frame = (functionName: string, url = '') => ({ functionName, url, scriptId: 0 });
const NODES = [
  { id: 1, callFrame: frame('(root)') },
  { id: 2, callFrame: frame('(program)'), parent: 1 },
  { id: 3, callFrame: frame('boot', LOADER), parent: 1 },
  { id: 4, callFrame: frame('appendChild'), parent: 3 },
  { id: 5, callFrame: frame('onload', 'https://site.example/app.js'), parent: 1 },
  { id: 6, callFrame: frame('setTimeout'), parent: 5 },
];

/** A trace of `tasks` on the page's main thread and profiler samples at the given times (µs). */
function trace(tasks: { ts: number; dur: number; tdur: number }[], samples: [number, number][]) {
  let last = 1_000;
  return {
    traceEvents: [
      { name: 'EvaluateScript', ph: 'X', ...PAGE, ts: 1_000, dur: 100, tdur: 100, args: { data: { url: LOADER } } },
      { name: 'v8.compile', ph: 'X', ...PAGE, ts: 1_010, dur: 40, tdur: 30, args: { data: { url: LOADER } } },
      { name: 'Profile', ph: 'P', ...PAGE, id: '0x1', ts: 1_000, args: { data: { startTime: 1_000 } } },
      // From the sampler's own thread, as Chromium writes them.
      {
        name: 'ProfileChunk',
        ph: 'P',
        pid: 1,
        tid: 9,
        id: '0x1',
        ts: 2_000,
        args: {
          data: {
            cpuProfile: { nodes: NODES, samples: samples.map(([, id]) => id) },
            timeDeltas: samples.map(([t]) => [t - last, (last = t)][0]),
          },
        },
      },
      ...tasks.map((t) => ({ name: 'ThreadControllerImpl::RunTask', ph: 'X', ...PAGE, ...t })),
    ],
  };
}

describe('loaderCpu', () => {
  it("shares a task's thread time out by its samples: loader functions, the natives they call, the rest", () => {
    const t = trace([{ ts: 1_000, dur: 2_000, tdur: 800 }], [[1_100, 3], [1_200, 3], [1_300, 4], [1_400, 2]]);
    const cpu = loaderCpu(t, LOADER);
    expect(cpu.ownMs).toBeCloseTo(0.4);
    expect(cpu.apisMs).toBeCloseTo(0.2);
    expect(cpu.compileMs).toBeCloseTo(0.03);
  });

  it("counts no more than a task's CPU, however long the sampler's gap before a loader sample", () => {
    // One sample 70 ms after the one before: its time delta is not the loader's CPU, the task's is.
    const t = trace([{ ts: 1_000, dur: 80_000, tdur: 300 }], [[1_050, 2], [71_050, 3]]);
    expect(loaderCpu(t, LOADER).ownMs).toBeCloseTo(0.15);
  });

  it("leaves out tasks without the loader in them, and natives another script called", () => {
    const t = trace(
      [
        { ts: 1_000, dur: 1_000, tdur: 1_000 },
        { ts: 3_000, dur: 1_000, tdur: 1_000 },
      ],
      [[1_500, 3], [3_200, 5], [3_400, 6]],
    );
    const cpu = loaderCpu(t, LOADER);
    expect([cpu.ownMs, cpu.apisMs]).toEqual([1, 0]);
  });

  it('counts a task nested in another once, with the outer one', () => {
    const t = trace(
      [
        { ts: 1_000, dur: 1_000, tdur: 600 },
        { ts: 1_200, dur: 100, tdur: 100 },
      ],
      [[1_250, 3], [1_500, 2]],
    );
    expect(loaderCpu(t, LOADER).ownMs).toBeCloseTo(0.3);
  });

  it("counts the functions V8 compiled on the main thread inside the loader's evaluation and callbacks, not elsewhere", () => {
    const t = trace([{ ts: 1_000, dur: 2_000, tdur: 800 }], [[1_100, 3]]);
    const compile = (ts: number) => ({ name: 'V8.CompileCode', ph: 'X', ...PAGE, ts, dur: 50, tdur: 40 });
    const loaderCall = { name: 'FunctionCall', ph: 'X', ...PAGE, ts: 5_000, dur: 200, tdur: 200, args: { data: { url: LOADER } } };
    const otherCall = { name: 'FunctionCall', ph: 'X', ...PAGE, ts: 9_000, dur: 200, tdur: 200, args: { data: { url: 'https://site.example/app.js' } } };
    t.traceEvents.push(compile(1_020), loaderCall, compile(5_050), otherCall, compile(9_050) as never);
    const cpu = loaderCpu(t, LOADER);
    expect([cpu.lazyCompiles, cpu.lazyCompileMs]).toEqual([2, 0.08]);
  });

  it("marks a view unmeasured when the profiler took no sample during the loader's evaluation", () => {
    const late = trace([{ ts: 1_000, dur: 2_000, tdur: 800 }], [[1_500, 2], [1_600, 3]]);
    const early = trace([{ ts: 1_000, dur: 2_000, tdur: 800 }], [[1_050, 2], [1_600, 3]]);
    expect([loaderCpu(late, LOADER).sampled, loaderCpu(early, LOADER).sampled]).toEqual([false, true]);
  });

  it('says what is missing from a trace taken without the profiler', () => {
    const t = trace([], []);
    t.traceEvents = t.traceEvents.filter((e) => e.name !== 'Profile');
    expect(() => loaderCpu(t, LOADER)).toThrow(/PROFILE_CATEGORIES/);
  });
});
