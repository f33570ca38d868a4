// The page's handle on the training Web Worker: the only module that names the worker file.
// The training loop runs in the worker; the page talks to it through comlink (TrainerApi).
import * as Comlink from 'comlink';
import type { TrainerApi, TrainerEvent } from '../train/protocol';

export interface TrainerClient {
  api: Comlink.Remote<TrainerApi>;
  /** Ends the worker (and its GPU device). The client is unusable afterwards. */
  terminate(): void;
}

export function createTrainer(onEvent: (e: TrainerEvent) => void, onCrash: (message: string) => void): TrainerClient {
  const worker = new Worker(new URL('../train/worker.ts', import.meta.url), {
    type: 'module',
    name: 'icl-lab-trainer',
  });
  // A worker that fails to load or throws outside a call never answers again: say so.
  worker.addEventListener('error', (e) => {
    e.preventDefault();
    onCrash(e.message || 'The training worker failed to start.');
  });
  const api = Comlink.wrap<TrainerApi>(worker);
  void api.subscribe(Comlink.proxy(onEvent));
  return {
    api,
    terminate() {
      api[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}
