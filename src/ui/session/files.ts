// Files in and out: the run file (Export / import), plots as PNG, and model checkpoints
// (.safetensors, through the worker). Everything read from a file passes parseRunFile.
import { parseRunFile, stringifyRunFile } from '../../train/schema';
import { emptyView, runFileFromView, viewFromRunFile } from '../runView';
import { saveBlob } from '../download';
import { fileStem } from '../format';
import { svgToPng, type PngLegendItem } from '../svgPng';
import { shownRun, useLab } from '../store/lab';
import { useAlerts } from '../store/alerts';
import { useRuns } from '../store/runs';
import { ensureLoaded } from './trainer';

function shownRunFile() {
  const lab = useLab.getState();
  return runFileFromView(shownRun(lab) ?? emptyView(lab.config));
}

export function exportRunFile(): void {
  const run = shownRunFile();
  saveBlob(`${fileStem(run.config)}.json`, new Blob([stringifyRunFile(run)], { type: 'application/json' }));
}

export async function importRunFile(file: File): Promise<void> {
  let json: unknown;
  try {
    json = JSON.parse(await file.text());
  } catch {
    useAlerts.getState().push('bad_file', `"${file.name}" is not a JSON run file.`);
    return;
  }
  const parsed = parseRunFile(json);
  if (!parsed.ok) {
    useAlerts.getState().push('bad_file', `"${file.name}" could not be imported. ${parsed.error}`);
    return;
  }
  useAlerts.getState().clearKind('bad_file');
  const id = useRuns.getState().add(parsed.value);
  const lab = useLab.getState();
  lab.replaceConfig(parsed.value.config);
  lab.setViewed({ view: viewFromRunFile(parsed.value), source: 'saved', runId: id });
  lab.setNotice(`Imported "${file.name}" into the runs list.`);
}

/** Saves the SVG plot inside `region` as a PNG, with its title and legend drawn in. */
export async function exportPlotPng(
  region: HTMLElement | null,
  name: string,
  title: string,
  legend?: readonly PngLegendItem[],
): Promise<void> {
  const svg = region?.querySelector<SVGSVGElement>('svg.recharts-surface');
  if (!svg) {
    useLab.getState().setNotice('There is no plot to save yet.');
    return;
  }
  try {
    const png = await svgToPng(svg, { title, legend });
    saveBlob(`${fileStem(useLab.getState().config)}-${name}.png`, png);
  } catch (err) {
    useAlerts.getState().push('internal', err instanceof Error ? err.message : 'The plot could not be saved.');
  }
}

export async function downloadCheckpoint(): Promise<void> {
  const lab = useLab.getState();
  if (!lab.client || !lab.live) {
    lab.setNotice('Train (or Step) first: there is no model in the worker yet.');
    return;
  }
  try {
    const bytes = await lab.client.api.checkpoint();
    saveBlob(
      `${fileStem(lab.live.config)}-step${lab.live.step}.safetensors`,
      new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }),
    );
  } catch (err) {
    useAlerts
      .getState()
      .push('internal', `The model could not be saved: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Loads weights into a model of the current settings, then evaluates its ICL curve. */
export async function loadCheckpointFile(file: File): Promise<void> {
  const client = await ensureLoaded();
  if (!client) return;
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const notices = await client.api.loadCheckpoint(bytes);
    useAlerts.getState().clearKind('bad_file');
    useLab
      .getState()
      .setNotice(
        notices.length > 0
          ? `Loaded "${file.name}". ${notices.join(' ')}`
          : `Loaded "${file.name}"; evaluating its ICL curve…`,
      );
    await client.api.evaluate();
  } catch (err) {
    useAlerts
      .getState()
      .push(
        'bad_file',
        `"${file.name}" could not be loaded into this model: ${err instanceof Error ? err.message : String(err)}`,
      );
  }
}
