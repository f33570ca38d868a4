// One sentence saying what the chosen task tests.
import { TASK_TEXT } from '../labels';
import { useLab } from '../store/lab';

export function TaskSentence() {
  const task = useLab((s) => s.config.task);
  return <p className="task-sentence">{TASK_TEXT[task].tests}</p>;
}
