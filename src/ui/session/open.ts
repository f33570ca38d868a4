// Opening a saved run: its settings go into the controls and its results into the plots.
import { viewFromRunFile } from '../runView';
import { useLab } from '../store/lab';
import type { SavedRun } from '../store/runs';

export function openSavedRun(r: SavedRun): void {
  const lab = useLab.getState();
  lab.replaceConfig(r.run.config);
  lab.setViewed({ view: viewFromRunFile(r.run), source: 'saved', runId: r.id });
  lab.setTab('lab');
}
