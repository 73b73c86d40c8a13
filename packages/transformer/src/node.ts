export type {
  CheckpointState,
  LoadedCheckpoint,
  SaveCheckpointOptions,
} from './checkpoint.js';
export { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
export type { LoadModelOptions, SaveModelOptions } from './modelFiles.js';
export { loadModel, saveModel } from './modelFiles.js';
