// The lab: the essential controls (task, model, size, seed, Train…) first, then the plots,
// the explanation, runs and queue, then the other settings — in the left column under the
// essentials on a wide screen, after the results on a phone (teach.css).
import { useLab } from '../store/lab';
import { AdvancedSettings } from './AdvancedSettings';
import { ExportPanel } from './ExportPanel';
import { FamiliesRace } from './FamiliesRace';
import { FamiliesRaceControls } from './FamiliesRaceControls';
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
import { PromptPanel } from '../prompt/PromptPanel';

export function LabView() {
  const teaching = useLab((s) => s.teaching);
  return (
    <div className="lab">
      <form className="controls essentials" aria-label="Run settings" onSubmit={(e) => e.preventDefault()}>
        <RunControls />
        <TaskSentence />
        <TrainButtons />
        <FamiliesRaceControls />
      </form>
      <div className="results">
        <ResumeOffer />
        <ViewedBanner />
        <FamiliesRace />
        <div className="plots">
          <LossPlot />
          <IclPlot />
        </div>
        <PromptPanel />
        <ExplainPanel />
        <div className="lists">
          <RunsList />
          {teaching ? null : <QueuePanel />}
        </div>
      </div>
      <form className="controls more" aria-label="More settings" onSubmit={(e) => e.preventDefault()}>
        {teaching ? null : <PresetButtons />}
        {teaching ? null : <AdvancedSettings />}
        <SharePanel />
        <ExportPanel />
      </form>
    </div>
  );
}
