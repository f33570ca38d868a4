// Prompt length in tokens for n examples of a task (the layouts of the task files).
import type { TaskId } from '../spec/config';

export function tokensFor(task: TaskId, nPoints: number): number {
  if (task === 'cot_io') return 3 * nPoints; // x, s, y per example
  if (task === 'vector_mqar') return 2 * nPoints + 1; // m key/value pairs, then the query
  return 2 * nPoints; // interleaved x, y
}
