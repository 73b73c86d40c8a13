export type { ArgumentChecks, ErrorFactory, IntegerBounds } from './argumentChecks.js';
export { argumentChecks, describeValue } from './argumentChecks.js';
export { sampleBinomial, sampleMultinomial } from './binomial.js';
export type { BootstrapOptions, BootstrapResult } from './bootstrap.js';
export { bootstrap } from './bootstrap.js';
export type { BootstrapVectorResult } from './bootstrapVector.js';
export { bootstrapVector } from './bootstrapVector.js';
export { choleskySolve } from './choleskySolve.js';
export type { LlmkitErrorCode, LlmkitErrorInit } from './errors.js';
export { LlmkitError, NumericError } from './errors.js';
export type { FitPolynomialOptions, PolynomialFit } from './fitPolynomial.js';
export { fitPolynomial } from './fitPolynomial.js';
export { huber, huberGradient } from './huber.js';
export type { LbfgsIteration, LbfgsOptions, LbfgsResult, LbfgsStopReason } from './lbfgs.js';
export { minimizeLbfgs } from './lbfgs.js';
export { log1pExp, logSigmoid, sigmoid } from './log1pExp.js';
export type {
  LogisticRegressionOptions,
  LogisticRegressionResult,
  LogisticRegressionStopReason,
} from './logisticRegression.js';
export { fitLogisticRegression } from './logisticRegression.js';
export { logAddExp, logSumExp } from './logSumExp.js';
export type {
  MultiStartOptions,
  MultiStartProgress,
  MultiStartResult,
  StartOutcome,
} from './minimizeMultiStart.js';
export { gridPoints, minimizeMultiStart } from './minimizeMultiStart.js';
export type {
  Objective,
  ObjectiveFunction,
  ValueAndGradientFunction,
} from './objective.js';
export type { QuantileMethod, QuantileOptions } from './quantile.js';
export { quantile, quantiles } from './quantile.js';
export type { RandomState } from './random.js';
export { Random } from './random.js';
export type { CovarianceState } from './runningCovariance.js';
export { RunningCovariance } from './runningCovariance.js';
export type { MomentsState } from './runningMoments.js';
export { mean, RunningMoments, variance } from './runningMoments.js';
export { logSoftmax, softmax } from './softmax.js';
