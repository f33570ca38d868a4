// The explanation layer: what in-context learning is, how to read the two plots for the chosen
// task, what the curriculum does, what a prompt of the task holds and what the paper found for
// it, and the paper's conclusion. A <details> element (open by default): keyboard users reach it
// with Tab and toggle it with Enter or Space. Its parts are plain blocks, not landmarks, so the
// page's regions stay the two plots.
import { MODEL_LABEL, TASK_TEXT, curveLabel } from '../labels';
import { useLab } from '../store/lab';
import { curriculumSentence } from './stages';
import { BASELINE_WORDS, TASK_BASELINES, promptWords, readingIcl } from './text';
import { PAPER_CONCLUSION, PAPER_MODELS, PAPER_SYMBOL_WORDS, PAPER_TITLE, PAPER_URL, paperRow } from './paper';
import { reproductionHash } from '../grid/gridLink';

export function ExplainPanel() {
  const config = useLab((s) => s.config);
  const task = TASK_TEXT[config.task];
  const paper = paperRow(config.task);
  const baselines = TASK_BASELINES[config.task];
  return (
    <details className="explain" open>
      <summary>
        <h2>What am I looking at?</h2>
      </summary>
      <div className="explain-body">
        <div>
          <h3>In-context learning</h3>
          <p>
            Each training prompt is a list of examples (x, y) from a function drawn at random for that prompt alone. The
            model must predict each y from the examples before it. Its weights are trained on many thousands of such
            prompts, but never on the function in the prompt at hand: whatever it knows about that function, it has to
            work out from the prompt itself. That is in-context learning, and the ICL curve measures it — the error
            should fall as the prompt shows more examples.
          </p>
        </div>
        <div>
          <h3>Reading the ICL curve</h3>
          <p>{readingIcl(config)}</p>
          {baselines.length > 0 ? (
            <ul>
              {baselines.map((b) => (
                <li key={b}>
                  <strong>{curveLabel(b)}.</strong> {BASELINE_WORDS[b]}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
        <div>
          <h3>Reading the training loss</h3>
          <p>
            The loss on each training batch, on a logarithmic axis. {curriculumSentence(config)} The loss is measured on
            the prompts of the current stage, so compare it within a stage, not across one.
          </p>
        </div>
        <div>
          <h3>This task: {task.label}</h3>
          <p>{promptWords(config)} The question it asks is the sentence under the settings.</p>
          <p>
            What Park et al. report:{' '}
            {PAPER_MODELS.map((m, i) => (
              <span key={m}>
                {i > 0 ? '; ' : ''}
                {MODEL_LABEL[m]} {paper[m]} ({PAPER_SYMBOL_WORDS[paper[m]]})
              </span>
            ))}
            . Runs here are far shorter and smaller than the paper&apos;s 500,000 steps, so a lab run may fall short of
            them; the Paper grid judges runs by one stated rule.
          </p>
          <p>
            The lab&apos;s own runs of this task, every family, two seeds each at the Teaching preset:{' '}
            <a href={reproductionHash({ task: config.task, model: config.model })}>
              {task.label} with {MODEL_LABEL[config.model]} in the Reproduction
            </a>
            , beside the paper&apos;s marks.
          </p>
        </div>
        <div>
          <h3>What the paper concluded</h3>
          <p>
            {PAPER_CONCLUSION} Read it: Park et al. 2024,{' '}
            <a href={PAPER_URL} target="_blank" rel="noopener noreferrer">
              “{PAPER_TITLE}” (arXiv 2402.04248)
            </a>
            .
          </p>
        </div>
      </div>
    </details>
  );
}
