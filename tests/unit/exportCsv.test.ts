// CSV export: exact text for small inputs, NaN as empty cells, quoting, and values that read back.
import { describe, expect, it } from 'vitest';
import { curvesToCsv, historyToCsv } from '../../src/train/exportCsv';

describe('curvesToCsv', () => {
  it('writes position then mean/lo/hi per curve, model first', () => {
    const csv = curvesToCsv({
      positions: [1, 2, 3],
      curves: {
        zero: { mean: [1, 1, 1], lo: [0.5, 0.5, 0.5], hi: [2, 2, 2] },
        model: { mean: [1, 0.25, 0.125], lo: [0.9, 0.2, 0.1], hi: [1.1, 0.3, 0.15] },
      },
    });
    expect(csv).toBe(
      'position,model_mean,model_lo,model_hi,zero_mean,zero_lo,zero_hi\n' +
        '1,1,0.9,1.1,1,0.5,2\n' +
        '2,0.25,0.2,0.3,1,0.5,2\n' +
        '3,0.125,0.1,0.15,1,0.5,2\n',
    );
  });

  it('keeps full precision, writes NaN and Infinity as empty cells, adds per-position accuracy', () => {
    const x = 0.1 + 0.2;
    const csv = curvesToCsv({
      positions: [1, 2],
      curves: { model: { mean: [x, NaN], lo: [1e-12, Infinity], hi: [-3, 4] } },
      accuracy: { model: [0.5, 1], recall: [0.9] },
    });
    expect(csv).toBe(
      'position,model_mean,model_lo,model_hi,model_accuracy\n1,0.30000000000000004,1e-12,-3,0.5\n2,,,4,1\n',
    );
    const back = csv.trim().split('\n')[1].split(',').map(Number);
    expect(back[1]).toBe(x);
  });

  it('quotes odd names and defuses spreadsheet formulas', () => {
    const csv = curvesToCsv({
      positions: [1],
      curves: { 'a,b': { mean: [1], lo: [1], hi: [1] }, '=cmd': { mean: [2], lo: [2], hi: [2] } },
    });
    expect(csv.split('\n')[0]).toBe('position,"a,b_mean","a,b_lo","a,b_hi",\'=cmd_mean,\'=cmd_lo,\'=cmd_hi');
  });

  it('writes just the positions when there are no curves', () => {
    expect(curvesToCsv({ positions: [1, 2], curves: {} })).toBe('position\n1\n2\n');
  });
});

describe('historyToCsv', () => {
  it('writes step,loss rows', () => {
    expect(
      historyToCsv([
        { step: 1, loss: 20.5 },
        { step: 2, loss: NaN },
        { step: 3, loss: 1e-7 },
      ]),
    ).toBe('step,loss\n1,20.5\n2,\n3,1e-7\n');
    expect(historyToCsv([])).toBe('step,loss\n');
  });
});
