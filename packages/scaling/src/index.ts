export type { ActivationMemory, ActivationMemoryOptions, Recompute } from './activationMemory.js';
export { activationMemory } from './activationMemory.js';
export type { ChinchillaLaw } from './chinchillaLaw.js';
export { chinchillaBesiroglu2024, chinchillaHoffmann2022, predictLoss } from './chinchillaLaw.js';
export type { CompareExponentsOptions, ExponentComparison } from './compareExponents.js';
export { compareExponents } from './compareExponents.js';
export type { ComputeOptimal, LawWithRange } from './computeOptimal.js';
export { computeOptimal, flopsForLoss } from './computeOptimal.js';
export type {
  DataConstrainedLoss,
  DataConstrainedOptimal,
  RepeatedRun,
  RepetitionConstants,
} from './dataConstrained.js';
export {
  chinchillaMuennighoff2023,
  dataConstrainedLoss,
  dataConstrainedOptimal,
  effectiveParams,
  effectiveTokens,
  muennighoff2023Repetition,
} from './dataConstrained.js';
export { ScalingError } from './errors.js';
export type { FitPowerLawOptions, PowerLaw, PowerLawFit, PowerLawPoint } from './fitPowerLaw.js';
export { fitPowerLaw, predictPowerLaw } from './fitPowerLaw.js';
export type { FitRange, Interval } from './fitRange.js';
export type {
  ChinchillaIntervals,
  FitProgress,
  FitScalingLawOptions,
  ScalingLawFit,
} from './fitScalingLaw.js';
export { fitScalingLaw } from './fitScalingLaw.js';
export type {
  MfuInput,
  ParamsAndTokens,
  TransformerFlops,
  TransformerFlopsOptions,
} from './flops.js';
export { inferenceFlops, mfu, trainingFlops, transformerFlops } from './flops.js';
export type { Accelerator, AcceleratorId, Precision } from './hardware.js';
export { accelerator, hardwareCatalog } from './hardware.js';
export type { ChinchillaGrid } from './hoffmannGrid.js';
export { hoffmannGrid } from './hoffmannGrid.js';
export type { IsoFlopAnalysis, IsoFlopOptions, IsoFlopSlice } from './isoFlopAnalysis.js';
export { isoFlopAnalysis } from './isoFlopAnalysis.js';
export type { KvCacheOptions } from './kvCache.js';
export { kvCacheBytes } from './kvCache.js';
export type { ParameterInterval } from './parameterInterval.js';
export type {
  ParallelismLayout,
  ParallelismPlan,
  PlanParallelismInput,
} from './planParallelism.js';
export { planParallelism } from './planParallelism.js';
export type { PlanAssumptions, PlanTrainingInput, TrainingPlan } from './planTraining.js';
export { planTraining } from './planTraining.js';
export type { PlotIsoFlopsOptions } from './plotIsoFlops.js';
export { plotIsoFlops } from './plotIsoFlops.js';
export type { PlotLossVsComputeInput } from './plotLossVsCompute.js';
export { plotLossVsCompute } from './plotLossVsCompute.js';
export type { ScalingPoint } from './scalingPoint.js';
export type { TrainingMemory, TrainingMemoryInput, ZeroStage } from './trainingMemory.js';
export { trainingMemory } from './trainingMemory.js';
export type { TransformerParameters, TransformerShape } from './transformerShape.js';
export { transformerParameters } from './transformerShape.js';
