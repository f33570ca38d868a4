// Measured training speeds (src/ui/speeds.ts) and their keeper (src/ui/session/speeds.ts):
// a small, bounded table that survives storage text and ignores whatever storage holds
// wrongly; a localStorage that refuses to read or write leaves the page working.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultConfig } from '../../src/spec/config';
import {
  MAX_ADAPTERS,
  SPEEDS_KEY,
  lastAdapter,
  parseSpeeds,
  recordSpeed,
  speedFor,
  stringifySpeeds,
  type SpeedTable,
} from '../../src/ui/speeds';
import { emptyView } from '../../src/ui/runView';
import { startSpeedLog } from '../../src/ui/session/speeds';
import { useLab } from '../../src/ui/store/lab';
import { useSpeeds } from '../../src/ui/store/speeds';

const lr = 'linear_regression' as const;

describe('the speed table', () => {
  it('records per adapter, family and size, and reads back from its text', () => {
    let t: SpeedTable = [];
    t = recordSpeed(t, 'nvidia ampere', 'mamba', 'tiny', { stepsPerSecond: 190, task: lr, nPoints: 41, batch: 64 });
    t = recordSpeed(t, 'nvidia ampere', 'transformer', 'tiny', {
      stepsPerSecond: 250,
      task: lr,
      nPoints: 41,
      batch: 64,
    });
    t = recordSpeed(t, 'nvidia ampere', 'mamba', 'tiny', {
      stepsPerSecond: 200,
      task: 'vector_mqar',
      nPoints: 16,
      batch: 64,
    });
    const back = parseSpeeds(stringifySpeeds(t));
    expect(back).toEqual(t);
    expect(speedFor(back, 'nvidia ampere', 'mamba', 'tiny')).toEqual({
      stepsPerSecond: 200,
      task: 'vector_mqar',
      nPoints: 16,
      batch: 64,
    });
    expect(speedFor(back, 'nvidia ampere', 'transformer', 'tiny')?.stepsPerSecond).toBe(250);
    expect(speedFor(back, 'nvidia ampere', 'mamba', 'small')).toBeNull();
    expect(speedFor(back, 'apple metal-3', 'mamba', 'tiny')).toBeNull();
    expect(speedFor(back, null, 'mamba', 'tiny')).toBeNull();
  });

  it(`keeps at most ${MAX_ADAPTERS} adapters, the most recently measured first`, () => {
    let t: SpeedTable = [];
    for (let i = 0; i < MAX_ADAPTERS + 2; i++)
      t = recordSpeed(t, `gpu ${i}`, 'mamba', 'tiny', { stepsPerSecond: 10 + i, task: lr, nPoints: 41, batch: 64 });
    expect(t.map((r) => r.adapter)).toEqual(['gpu 5', 'gpu 4', 'gpu 3', 'gpu 2']);
    t = recordSpeed(t, 'gpu 3', 'transformer', 'small', { stepsPerSecond: 5, task: lr, nPoints: 41, batch: 64 });
    expect(lastAdapter(t)).toBe('gpu 3');
    expect(t[0].speeds).toEqual({
      'mamba/tiny': { stepsPerSecond: 13, task: lr, nPoints: 41, batch: 64 },
      'transformer/small': { stepsPerSecond: 5, task: lr, nPoints: 41, batch: 64 },
    });
    // long names are cut, so the stored text stays small
    t = recordSpeed(t, 'x'.repeat(10_000), 'mamba', 'tiny', { stepsPerSecond: 1, task: lr, nPoints: 41, batch: 64 });
    expect(stringifySpeeds(t).length).toBeLessThan(2000);
    expect(speedFor(t, 'x'.repeat(10_000), 'mamba', 'tiny')?.stepsPerSecond).toBe(1);
  });

  it('ignores rates that are not measurements', () => {
    for (const bad of [0, -3, NaN, Infinity, 1e9])
      expect(
        recordSpeed([], 'gpu', 'mamba', 'tiny', { stepsPerSecond: bad, task: lr, nPoints: 41, batch: 64 }),
      ).toEqual([]);
    expect(recordSpeed([], '   ', 'mamba', 'tiny', { stepsPerSecond: 3, task: lr, nPoints: 41, batch: 64 })).toEqual(
      [],
    );
  });

  it('drops malformed or foreign storage text instead of failing', () => {
    for (const text of [null, '', 'not json', '[]', '{"adapters": 3}', 'null', '{"adapters": [null, 7, "x"]}'])
      expect(parseSpeeds(text), String(text)).toEqual([]);
    const mixed = JSON.stringify({
      adapters: [
        {
          adapter: 'gpu',
          speeds: {
            'mamba/tiny': { stepsPerSecond: 100, task: lr, nPoints: 41, batch: 64 },
            'standard_hybrid/tiny': { stepsPerSecond: 5, task: lr, nPoints: 41, batch: 6.5 },
            'mamba/huge': { stepsPerSecond: 1, task: lr, nPoints: 41, batch: 64 },
            'transformer/tiny': { stepsPerSecond: -1, task: lr, nPoints: 41, batch: 64 },
            'transformer/small': { stepsPerSecond: 3, task: 'nope', nPoints: 41, batch: 64 },
          },
        },
        { adapter: 42, speeds: {} },
        { adapter: 'gpu', speeds: { 'mamba/small': { stepsPerSecond: 1, task: lr, nPoints: 41, batch: 64 } } },
      ],
    });
    expect(parseSpeeds(mixed)).toEqual([
      { adapter: 'gpu', speeds: { 'mamba/tiny': { stepsPerSecond: 100, task: lr, nPoints: 41, batch: 64 } } },
    ]);
  });
});

describe('the speed log', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    useLab.setState({ live: null, trainerState: 'off' });
    useSpeeds.getState().setTable([]);
  });

  function stubWindow(storage: Partial<Storage> | 'refused') {
    const win = { addEventListener: vi.fn(), removeEventListener: vi.fn() };
    Object.defineProperty(win, 'localStorage', {
      get() {
        if (storage === 'refused') throw new Error('SecurityError: storage is disabled');
        return storage;
      },
    });
    vi.stubGlobal('window', win);
  }

  function progress(step: number, stepsPerSecond: number, trainerState: 'training' | 'paused' = 'training') {
    const live = useLab.getState().live ?? emptyView(defaultConfig(lr, 'mamba', 'tiny'), 'nvidia ampere');
    useLab.setState({ live: { ...live, step, stepsPerSecond }, trainerState });
  }

  it('records the live run once past its first steps, and writes the table when the run stops', () => {
    const saved = new Map<string, string>([
      [
        SPEEDS_KEY,
        stringifySpeeds(
          recordSpeed([], 'old gpu', 'mamba', 'tiny', { stepsPerSecond: 9, task: lr, nPoints: 41, batch: 64 }),
        ),
      ],
    ]);
    stubWindow({ getItem: (k) => saved.get(k) ?? null, setItem: (k, v) => void saved.set(k, v) });
    const stop = startSpeedLog();
    expect(lastAdapter(useSpeeds.getState().table)).toBe('old gpu');
    progress(10, 3); // still holds the kernel compilation
    expect(speedFor(useSpeeds.getState().table, 'nvidia ampere', 'mamba', 'tiny')).toBeNull();
    progress(60, 180);
    expect(speedFor(useSpeeds.getState().table, 'nvidia ampere', 'mamba', 'tiny')?.stepsPerSecond).toBe(180);
    progress(70, 185, 'paused');
    expect(speedFor(parseSpeeds(saved.get(SPEEDS_KEY) ?? null), 'nvidia ampere', 'mamba', 'tiny')?.stepsPerSecond).toBe(
      185,
    );
    stop();
  });

  it('keeps working when localStorage is refused or throws', () => {
    stubWindow('refused');
    const stop = startSpeedLog();
    progress(60, 180, 'paused');
    expect(speedFor(useSpeeds.getState().table, 'nvidia ampere', 'mamba', 'tiny')?.stepsPerSecond).toBe(180);
    stop();
    const boom = () => {
      throw new Error('QuotaExceededError');
    };
    stubWindow({ getItem: boom, setItem: boom });
    const stop2 = startSpeedLog();
    expect(useSpeeds.getState().table).toEqual([]);
    useLab.setState({ live: null });
    progress(60, 120, 'paused');
    expect(speedFor(useSpeeds.getState().table, 'nvidia ampere', 'mamba', 'tiny')?.stepsPerSecond).toBe(120);
    stop2();
  });
});
