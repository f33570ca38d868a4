// The nine ICL task samplers behind one entry point, plus the curriculum and evaluation sets.
export type { PromptBatch, SampleOpts } from './types';
export { sampleBatch } from './sample';
export { Curriculum, maxTokens, nPositions, FULL_SIZE_AT, type CurriculumConfig, type Stage } from './curriculum';
export { makeEvalSet, type EvalSet, type EvalSetConfig } from './evalSet';
export { tokensFor } from './tokens';
