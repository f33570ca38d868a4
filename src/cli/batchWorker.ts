// Training batches drawn ahead in a worker thread, so that the main thread only packs and
// submits steps: the tiny models' loop is bound by the CPU, and drawing a batch of 64 prompts
// costs about as much as the rest of a step. The worker runs the same drawBatch as the
// trainer's own source, so the batches are the same bit for bit (tests/cli/cli.test.ts).
// The worker is this same bundle (dist-cli/cli.mjs), started with the plan in workerData.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Curriculum } from '../tasks';
import { drawBatch, type BatchPlan, type BatchSource } from '../train/batches';
import type { LossBatch } from '../train/graphs';

/** How many batches the worker keeps ready beyond the one in use. */
const AHEAD = 3;

interface Pending {
  promise: Promise<LossBatch>;
  resolve: (b: LossBatch) => void;
  reject: (e: Error) => void;
}

export class WorkerBatches implements BatchSource {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | null = null;
  /** Requests whose batch has not arrived: while any is out, the worker keeps the process alive. */
  private outstanding = 0;

  constructor(plan: BatchPlan) {
    this.worker = new Worker(new URL(import.meta.url), { workerData: { batchPlan: plan } });
    this.worker.on('message', ({ step, batch }: { step: number; batch: LossBatch }) => {
      if (--this.outstanding === 0) this.worker.unref();
      this.pending.get(step)?.resolve(batch);
    });
    const fail = (e: Error) => {
      this.failure = new Error(`the batch worker stopped: ${e.message}`);
      for (const p of this.pending.values()) p.reject(this.failure);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => {
      if (code !== 0) fail(new Error(`exit code ${code}`));
    });
    this.worker.unref(); // idle, it never keeps the process alive
  }

  batch(step: number): Promise<LossBatch> {
    if (this.failure) return Promise.reject(this.failure);
    for (const s of this.pending.keys()) if (s < step) this.pending.delete(s); // taken, or skipped
    for (let s = step; s <= step + AHEAD; s++) this.request(s);
    return this.pending.get(step)!.promise;
  }

  destroy(): void {
    void this.worker.terminate();
  }

  private request(step: number): void {
    if (this.pending.has(step)) return;
    let resolve!: Pending['resolve'];
    let reject!: Pending['reject'];
    const promise = new Promise<LossBatch>((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => {}); // a batch never asked for may fail unobserved
    this.pending.set(step, { promise, resolve, reject });
    if (this.outstanding++ === 0) this.worker.ref();
    this.worker.postMessage(step);
  }
}

/** In the worker thread: draws each asked-for step's batch and hands its buffers over. */
export function isBatchWorker(): boolean {
  return !isMainThread && workerData?.batchPlan !== undefined;
}

export function runBatchWorker(): void {
  const plan = workerData.batchPlan as BatchPlan;
  const curriculum = new Curriculum(plan.curriculum);
  parentPort!.on('message', (step: number) => {
    const batch = drawBatch(plan, curriculum, step);
    const buffers = new Set([batch.inputs, batch.targets, batch.mask, batch.invCount].map((a) => a.buffer));
    parentPort!.postMessage({ step, batch }, [...buffers] as ArrayBuffer[]);
  });
}

/** The CLI's batch source: a worker thread, or the trainer's own thread with ICL_BATCH_WORKER=0
 *  (to compare the two, or where threads are not wanted). */
export function cliBatches(): ((plan: BatchPlan) => BatchSource) | undefined {
  return process.env.ICL_BATCH_WORKER === '0' ? undefined : (plan) => new WorkerBatches(plan);
}
