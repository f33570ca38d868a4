// Files: "Export" (the run file), import a run file, and (advanced) model checkpoints.
import { isBusy, useLab } from '../store/lab';
import { downloadCheckpoint, exportRunFile, importRunFile, loadCheckpointFile } from '../session/files';
import { FileInput } from './FileInput';
import { CsvButtons } from './CsvButtons';

export function ExportPanel() {
  const teaching = useLab((s) => s.teaching);
  const hasModel = useLab((s) => s.live !== null && s.client !== null);
  const busy = useLab((s) => isBusy(s.trainerState));
  return (
    <div className="files">
      <div className="button-row">
        <button type="button" onClick={exportRunFile}>
          Export
        </button>
        <CsvButtons />
      </div>
      <FileInput
        label="Import run file (.json)"
        accept=".json,application/json"
        onFile={(f) => void importRunFile(f)}
      />
      {teaching ? null : (
        <div className="checkpoint">
          <button type="button" disabled={!hasModel || busy} onClick={() => void downloadCheckpoint()}>
            Download weights (.safetensors)
          </button>
          <FileInput
            label="Load weights (.safetensors)"
            accept=".safetensors"
            disabled={busy}
            onFile={(f) => void loadCheckpointFile(f)}
          />
        </div>
      )}
    </div>
  );
}
