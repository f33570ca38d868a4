// The Resume offer's rule (src/ui/session/unfinished.ts): after a reload only a run that can
// still train on is offered; a run that finished or diverged is not, even when a checkpoint of
// it arrives after it ended.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultConfig } from '../../src/spec/config';
import {
  forgetUnfinished,
  markEnded,
  readUnfinished,
  rememberUnfinished,
  resumableRun,
  type UnfinishedRun,
} from '../../src/ui/session/unfinished';

/** localStorage as the page has it, in memory. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (k) => items.get(k) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (k) => void items.delete(k),
    setItem: (k, v) => void items.set(k, String(v)),
  };
}

const config = { ...defaultConfig('linear_regression', 'mamba', 'tiny'), steps: 1000 };
const run = (step: number, runId = 'run-a'): UnfinishedRun => ({ runId, config, step });

beforeEach(() => {
  vi.stubGlobal('localStorage', memoryStorage());
});

describe('the Resume offer', () => {
  it('offers a run interrupted mid-way, from its last checkpoint', () => {
    rememberUnfinished(run(100));
    rememberUnfinished(run(300));
    expect(readUnfinished()).toEqual(run(300));
  });

  it('does not offer a run that diverged, even if a later checkpoint of it arrives', () => {
    rememberUnfinished(run(300));
    markEnded('run-a', 'diverged');
    expect(readUnfinished()).toBeNull();
    rememberUnfinished(run(400));
    expect(readUnfinished()).toBeNull();
  });

  it('does not offer a finished run, nor one whose last checkpoint is at its last step', () => {
    rememberUnfinished(run(900));
    markEnded('run-a', 'finished');
    expect(readUnfinished()).toBeNull();
    localStorage.clear();
    rememberUnfinished(run(1000));
    expect(readUnfinished()).toBeNull();
  });

  it("leaves another run's record alone, and a new run after an ended one is offered", () => {
    rememberUnfinished(run(300, 'run-b'));
    markEnded('run-a', 'diverged');
    expect(readUnfinished()).toEqual(run(300, 'run-b'));
    markEnded('run-b', 'diverged');
    rememberUnfinished(run(200, 'run-c'));
    expect(readUnfinished()).toEqual(run(200, 'run-c'));
  });

  it('forgets a run set aside, and ignores what is not a run', () => {
    rememberUnfinished(run(300));
    forgetUnfinished('run-a');
    expect(readUnfinished()).toBeNull();
    localStorage.setItem('icl-lab:unfinished-run', '{"runId": 3, "step": 5}');
    expect(readUnfinished()).toBeNull();
    localStorage.setItem('icl-lab:unfinished-run', 'not json');
    expect(readUnfinished()).toBeNull();
  });

  it('resumableRun: neither ended nor at its last step', () => {
    expect(resumableRun(run(999))).toEqual(run(999));
    expect(resumableRun(run(1000))).toBeNull();
    expect(resumableRun({ ...run(10), ended: 'diverged' })).toBeNull();
    expect(resumableRun({ ...run(10), ended: 'finished' })).toBeNull();
    expect(resumableRun(null)).toBeNull();
  });
});
