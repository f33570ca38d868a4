// "Inside a prompt": one prompt of the live run's evaluation set, redrawn at each evaluation —
// each example's y beside the model's guess and the task's baseline (both from the examples
// before it); for sparse parity the ±1 bits, labels and the model's signs; for vector MQAR the
// keys, values, the query and the value the model recalled. Asked of the worker when the live
// run's evaluation step changes (or another prompt is chosen), so nothing is recomputed.
import { useEffect, useState } from 'react';
import { CartesianGrid, ComposedChart, Line, ResponsiveContainer, XAxis, YAxis } from 'recharts';
import type { MqarPrompt, ParityPrompt, PromptView } from '../../train/promptView';
import { curveLabel } from '../labels';
import { formatNumber } from '../format';
import { useLab } from '../store/lab';
import { exampleRows, parityRows, promptSummary, recalled } from './promptData';
import './prompt.css';

/** Parity rows drawn at most: enough to see the pattern without a long scroll. */
const PARITY_ROWS = 12;

export function PromptPanel() {
  const client = useLab((s) => s.client);
  const runId = useLab((s) => s.liveRunId);
  const evalStep = useLab((s) => s.live?.evalStep);
  const viewing = useLab((s) => s.viewed !== null);
  const [index, setIndex] = useState(0);
  const [view, setView] = useState<PromptView | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => setIndex(0), [runId]);
  useEffect(() => {
    if (!client || evalStep === undefined) {
      setView(null);
      return;
    }
    let current = true;
    client.api.promptView(index).then(
      (v) => current && (setView(v), setProblem(null)),
      (e: unknown) => current && setProblem(`This prompt cannot be shown: ${(e as Error).message}`),
    );
    return () => {
      current = false;
    };
  }, [client, runId, evalStep, index]);

  const summary = viewing
    ? 'Shown for the run being trained only; a saved run keeps its curves, not its prompts.'
    : (problem ?? (view ? promptSummary(view) : 'One prompt of the evaluation set appears at the next evaluation.'));
  const showing = view && !viewing;
  return (
    <figure className="plot prompt-panel" aria-labelledby="prompt-panel-title">
      <div className="plot-head">
        <h2 id="prompt-panel-title">Inside a prompt</h2>
        <button type="button" disabled={!showing} onClick={() => view && setIndex((index + 1) % view.prompts)}>
          Next prompt
        </button>
      </div>
      {showing ? (
        <div role="img" aria-label={`Inside a prompt. ${summary}`} className="prompt-picture">
          {view.kind === 'examples' ? <ExamplesChart view={view} /> : null}
          {view.kind === 'parity' ? <ParityPicture view={view} /> : null}
          {view.kind === 'mqar' ? <MqarPicture view={view} /> : null}
        </div>
      ) : null}
      <figcaption className="plot-summary">{summary}</figcaption>
    </figure>
  );
}

function ExamplesChart({ view }: { view: Extract<PromptView, { kind: 'examples' }> }) {
  const rows = exampleRows(view);
  const baseName = view.baseline ? curveLabel(view.baseline.id) : null;
  return (
    <>
      <ResponsiveContainer width="100%" height={220}>
        <ComposedChart accessibilityLayer={false} data={rows} margin={{ top: 8, right: 16, bottom: 20, left: 8 }}>
          <CartesianGrid stroke="#e3e3e3" />
          <XAxis
            dataKey="pos"
            type="number"
            domain={['dataMin', 'dataMax']}
            allowDecimals={false}
            label={{ value: 'example', position: 'insideBottom', offset: -12 }}
          />
          <YAxis width={48} tickFormatter={(v: number) => formatNumber(v, 2)} />
          <Line dataKey="y" name="true y" stroke="none" dot={{ r: 3, fill: '#000' }} isAnimationActive={false} />
          <Line dataKey="model" name="model" stroke="#0072B2" dot={{ r: 2 }} isAnimationActive={false} />
          {baseName ? (
            <Line
              dataKey="baseline"
              name={baseName}
              stroke="#D55E00"
              strokeDasharray="5 3"
              dot={false}
              isAnimationActive={false}
            />
          ) : null}
        </ComposedChart>
      </ResponsiveContainer>
      <p className="prompt-key" aria-hidden="true">
        <span className="key-dot" /> true y · <span className="key-line model" /> model
        {baseName ? (
          <>
            {' '}
            · <span className="key-line baseline" /> {baseName.toLowerCase()}
          </>
        ) : null}
      </p>
    </>
  );
}

/** A ±1 or real value as a cell colour: blue for positive, orange for negative, paler near 0. */
function cellColour(v: number): string {
  const a = Math.min(1, Math.abs(v) / 2);
  return v >= 0 ? `rgba(0, 114, 178, ${0.15 + 0.85 * a})` : `rgba(213, 94, 0, ${0.15 + 0.85 * a})`;
}

function Cells({ values }: { values: number[] }) {
  return (
    <span className="cells">
      {values.map((v, c) => (
        <span key={c} className="cell" style={{ background: cellColour(v) }} />
      ))}
    </span>
  );
}

const sign = (s: number) => (s > 0 ? '+1' : s < 0 ? '−1' : '0');

function ParityPicture({ view }: { view: ParityPrompt }) {
  const rows = parityRows(view);
  const shown = rows.slice(-PARITY_ROWS);
  return (
    <div className="prompt-rows">
      <p className="prompt-note">
        {shown.length < rows.length ? `The last ${shown.length} of ${rows.length} examples. ` : ''}
        Bits: blue +1, orange −1.
      </p>
      {shown.map((r) => (
        <div key={r.pos} className="prompt-row">
          <span className="row-name">{r.pos}</span>
          <Cells values={r.bits} />
          <span>label {sign(r.label)}</span>
          <span className={r.right ? 'right' : 'wrong'}>
            model {sign(r.predicted)} {r.right ? '✓' : '✗'}
          </span>
        </div>
      ))}
    </div>
  );
}

function MqarPicture({ view }: { view: MqarPrompt }) {
  const r = recalled(view);
  // all m pairs would be a long list (64 in the presets): the two that tell the story, in prompt order
  const shownPairs = [...new Set([view.queryIndex, r.index])].filter((j) => j >= 0).sort((a, b) => a - b);
  return (
    <div className="prompt-rows">
      <p className="prompt-note">
        {view.keys.length} key → value pairs; shown: the queried pair
        {r.right ? '' : ' and the one the model recalled'} (blue positive, orange negative).
      </p>
      {shownPairs.map((j) => (
        <div key={j} className={`prompt-row${j === view.queryIndex ? ' queried' : ''}`}>
          <span className="row-name">{j + 1}</span>
          <Cells values={view.keys[j]} />
          <span>→</span>
          <Cells values={view.values[j]} />
          <span>
            {j === view.queryIndex ? 'queried' : ''}
            {j === r.index ? ` recalled ${r.right ? '✓' : '✗'}` : ''}
          </span>
        </div>
      ))}
      <div className="prompt-row">
        <span className="row-name">?</span>
        <Cells values={view.keys[view.queryIndex]} />
        <span>→</span>
        <Cells values={view.prediction} />
        <span>the model&apos;s answer</span>
      </div>
    </div>
  );
}
