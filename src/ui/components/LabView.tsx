// The lab: controls on the left, plots in the middle, runs and queue below.
import { useLab } from '../store/lab';
import { AdvancedSettings } from './AdvancedSettings';
import { ExportPanel } from './ExportPanel';
import { PresetButtons } from './PresetButtons';
import { QueuePanel } from './QueuePanel';
import { ResumeOffer } from './ResumeOffer';
import { RunControls } from './RunControls';
import { RunsList } from './RunsList';
import { SharePanel } from './SharePanel';
import { TaskSentence } from './TaskSentence';
import { TrainButtons } from './TrainButtons';
import { ViewedBanner } from './ViewedBanner';
import { ExplainPanel } from '../explain/ExplainPanel';
import { IclPlot } from '../plots/IclPlot';
import { LossPlot } from '../plots/LossPlot';

export function LabView() {
  const teaching = useLab((s) => s.teaching);
  return (
    <div className="lab">
      <form className="controls" aria-label="Run settings" onSubmit={(e) => e.preventDefault()}>
        <RunControls />
        <TaskSentence />
        <TrainButtons />
        {teaching ? null : <PresetButtons />}
        {teaching ? null : <AdvancedSettings />}
        <SharePanel />
        <ExportPanel />
      </form>
      <div className="results">
        <ResumeOffer />
        <ViewedBanner />
        <div className="plots">
          <LossPlot />
          <IclPlot />
        </div>
        <ExplainPanel />
        <div className="lists">
          <RunsList />
          {teaching ? null : <QueuePanel />}
        </div>
      </div>
    </div>
  );
}
