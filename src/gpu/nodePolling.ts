// The `webgpu` addon settles its promises (mapAsync, onSubmittedWorkDone, async pipelines) by
// polling Dawn from a setImmediate callback that re-arms itself while any of them is pending:
// a thread that awaits the GPU spins a whole core. On a software adapter (lavapipe on CI's two
// cores) that core is taken from the adapter's own threads, which do the GPU's work. So after
// the first millisecond of a wait, the addon's polls are re-armed through a timer (about 1 ms)
// instead: a short wait is seen as soon as before, a long one no longer burns the CPU.
//
// The addon's callback is told apart by its shape: a native function of no parameters,
// scheduled with no arguments (a promise's resolve, which Node code passes, has one parameter).

/** Polls within this long of a wait's start run at once; later ones wait for a timer. */
const SPIN_MS = 1;

let installed = false;

export function pollDawnGently(): void {
  if (installed) return;
  installed = true;
  const immediate = globalThis.setImmediate;
  let waitStart = 0;
  let inPoll = false; // the addon re-arms from inside its poll: the same wait goes on
  const gentle = (callback: (...args: unknown[]) => void, ...args: unknown[]) => {
    if (args.length > 0 || callback.length > 0 || !isNative(callback)) return immediate(callback, ...args);
    const now = performance.now();
    if (!inPoll) waitStart = now;
    const poll = () => {
      inPoll = true;
      try {
        callback();
      } finally {
        inPoll = false;
      }
    };
    if (now - waitStart < SPIN_MS) return immediate(poll);
    setTimeout(poll, 0);
    return undefined;
  };
  globalThis.setImmediate = Object.assign(gentle, immediate) as typeof setImmediate;
}

const nativeSource = /^function \w*\(\) \{\s*\[native code\]\s*\}$/;
const isNative = (f: (...args: unknown[]) => void) => nativeSource.test(Function.prototype.toString.call(f));
