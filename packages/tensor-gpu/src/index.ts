import * as ops from './ops.js';

export type { MatmulFlopCount, MeasurePeakOptions, MfuInput } from './accounting.js';
export { countMatmulFlops, matmulFlops, measurePeakFlops, mfu } from './accounting.js';

export type { AdamWHyperparameters, AdamWOptions } from './adamW.js';
export { AdamW, adamWStepReference } from './adamW.js';
export { causalAttention } from './causalAttention.js';
export { causalSoftmax } from './causalSoftmax.js';
export type {
  ClipGradNormAsyncOptions,
  ClipGradNormOptions,
  ClipGradNormReadResult,
  ClipGradNormResult,
} from './clipGradNorm.js';
export { clipGradNorm, clipGradNormAsync } from './clipGradNorm.js';
export type {
  BackendChoice,
  BackendFallback,
  BackendName,
  ComputeInfo,
  InitComputeOptions,
  Precision,
} from './compute.js';
export { computeInfo, initCompute } from './compute.js';
export { TensorError } from './errors.js';
export { gelu } from './gelu.js';
export { GradientAccumulator } from './gradientAccumulator.js';
export {
  bfloat16ToFloat32,
  float16ToFloat32,
  float32ToBfloat16,
  float32ToFloat16,
} from './halfPrecision.js';
export type { HostValues } from './hostValues.js';
export { hostValues } from './hostValues.js';
export { layerNorm } from './layerNorm.js';
export type { LionHyperparameters, LionOptions } from './lion.js';
export { Lion, lionStepReference } from './lion.js';
export type {
  DynamicLossScalerOptions,
  LossScalerState,
  UnscaledGradients,
} from './lossScaler.js';
export { DynamicLossScaler } from './lossScaler.js';
export type { LeakCheckOptions, MemoryReport, TensorContainer } from './memory.js';
export { dispose, keep, leakCheck, memoryReport, scope } from './memory.js';
export type {
  DecayGroups,
  NoDecayPredicate,
  NoDecayRule,
  Optimizer,
  OptimizerOptions,
  OptimizerState,
  ParameterState,
  StepOptions,
} from './optimizer.js';
export { NO_DECAY_BIASES_AND_NORMS, NO_DECAY_WITH_EMBEDDINGS } from './optimizer.js';
export type { EncodedOptimizerState } from './optimizerState.js';
export { decodeOptimizerState, encodeOptimizerState } from './optimizerState.js';
export type { ParameterGrads } from './parameterGrads.js';
export { parameterGrads } from './parameterGrads.js';
export { rmsNorm } from './rmsNorm.js';
export type { SafetensorsContents, SafetensorsWriteOptions } from './safetensors.js';
export { readSafetensors, writeSafetensors } from './safetensors.js';
export type {
  SafetensorsDtype,
  SafetensorsEntry,
  SafetensorsHeader,
  SafetensorsReadOptions,
  SafetensorsTensorInfo,
} from './safetensorsHeader.js';
export { parseSafetensorsHeader, safetensorsDtypeSize } from './safetensorsHeader.js';
export type {
  LoadedSafetensors,
  LoadSafetensorsOptions,
  SafetensorsFloatDtype,
  SaveSafetensorsOptions,
} from './safetensorsTensors.js';
export {
  loadSafetensors,
  safetensorsFromTensor,
  saveSafetensors,
  tensorFromSafetensors,
} from './safetensorsTensors.js';
export type {
  LearningRateSchedule,
  RampShape,
  WarmupCosineOptions,
  WarmupStableDecayOptions,
} from './schedules.js';
export { constantSchedule, warmupCosineSchedule, warmupStableDecaySchedule } from './schedules.js';
export type { SgdHyperparameters, SgdOptions } from './sgd.js';
export { Sgd, sgdStepReference } from './sgd.js';
export type {
  SoftmaxCrossEntropyOptions,
  SoftmaxCrossEntropyParts,
  SoftmaxCrossEntropyPartsOptions,
} from './softmaxCrossEntropy.js';
export { softmaxCrossEntropy, softmaxCrossEntropyParts } from './softmaxCrossEntropy.js';
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
