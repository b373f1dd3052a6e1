/** Background work of a hub process (the restart sweep, retention): now, then on a timer that keeps no process alive. */

/** Runs `task` now and every `everyMs`; the returned stop function clears the timer and waits for a running task. `task` must not throw. */
export function every(everyMs: number, task: () => Promise<unknown>): () => Promise<unknown> {
  let running: Promise<unknown> = Promise.resolve();
  const run = () => {
    running = task();
  };
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    return running;
  };
}
