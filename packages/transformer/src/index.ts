export type {
  GeluKind,
  MlpKind,
  NamingKind,
  NormKind,
  PositionKind,
  ResolvedTransformerConfig,
  TransformerConfig,
} from './config.js';
export { configToJson, resolveConfig } from './config.js';
export type {
  ContinuationLogProbsOptions,
  ContinuationRequest,
  ContinuationScore,
} from './continuationLogProbs.js';
export { continuationLogProbs } from './continuationLogProbs.js';
export { TransformerError } from './errors.js';
export type {
  Decoder,
  DecoderCache,
  GenerateBatchOptions,
  GenerateOptions,
} from './generate.js';
export { generate, generateBatch } from './generate.js';
export type { HuggingFaceConfig } from './huggingFaceConfig.js';
export { fromHuggingFaceConfig, toHuggingFaceConfig } from './huggingFaceConfig.js';
export type { TokenBatch } from './internal/tokens.js';
export type { LayerCache } from './kvCache.js';
export { KvCache } from './kvCache.js';
export type { LoadWeightsOptions } from './loadWeights.js';
export { loadWeights } from './loadWeights.js';
export type { ParameterCount, ParameterInit, ParameterSpec } from './parameterSpecs.js';
export { countParameters, parameterSpecs } from './parameterSpecs.js';
export {
  BABY_GPT,
  GPT2_LARGE,
  GPT2_MEDIUM,
  GPT2_SMALL,
  GPT2_XL,
  SMOLLM_135M,
  TINY_GPT,
  TINYLLAMA_1_1B,
} from './presets.js';
export type { SamplingOptions } from './sampling.js';
export { processLogits, sampleToken } from './sampling.js';
export type { TokenBatchesOptions, TokenBatchesState } from './tokenBatches.js';
export { TokenBatches } from './tokenBatches.js';
export type { TrainBatch, TrainStepOptions, TrainStepResult } from './trainStep.js';
export { NonFiniteLossError, trainingFlopsPerToken, trainStep } from './trainStep.js';
export type { ForwardOptions, LossResult, TransformerOptions } from './transformer.js';
export { Transformer } from './transformer.js';
