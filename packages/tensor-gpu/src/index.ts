import * as ops from './ops.js';

export type {
  BackendChoice,
  BackendFallback,
  BackendName,
  ComputeInfo,
  InitComputeOptions,
} from './compute.js';
export { computeInfo, initCompute } from './compute.js';
export { TensorError } from './errors.js';
export type { LeakCheckOptions, MemoryReport, TensorContainer } from './memory.js';
export { dispose, keep, leakCheck, memoryReport, scope } from './memory.js';
export type {
  DType,
  NamedTensors,
  NamedVariables,
  Rank,
  Scalar,
  Tensor,
  TensorLike,
  Variable,
} from './tensor.js';
export { isTensor } from './tensor.js';
export { ops };
