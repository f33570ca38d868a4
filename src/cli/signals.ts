// SIGINT (Ctrl-C) and SIGTERM during a run: the first asks the training loop to stop after
// the step in progress, so the run can be saved; a second one exits at once (files already
// written stay whole: every write is atomic). Exit status 128 + the signal's number.
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof EXIT_CODES;

export class StopSignals {
  /** The first signal received, or null. */
  received: StopSignal | null = null;
  private readonly handlers = new Map<StopSignal, () => void>();

  /** `onFirst` says what will happen; the second signal exits without waiting. */
  constructor(onFirst: (signal: StopSignal) => void) {
    for (const signal of Object.keys(EXIT_CODES) as StopSignal[]) {
      const handler = () => {
        if (this.received) {
          console.error(`${signal} again: exiting now, without saving this step (the files written before are whole).`);
          process.exit(EXIT_CODES[signal]);
        }
        this.received = signal;
        onFirst(signal);
      };
      this.handlers.set(signal, handler);
      process.on(signal, handler);
    }
  }

  get exitCode(): number {
    return this.received ? EXIT_CODES[this.received] : 0;
  }

  dispose(): void {
    for (const [signal, handler] of this.handlers) process.off(signal, handler);
    this.handlers.clear();
  }
}

/** Lets pending events (a signal's handler) run between training steps. */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
