/**
 * Bootstrap intervals of fitted parameters, shared by the fits of this package, and the stop
 * reasons of L-BFGS that count as converged.
 */
import type { BootstrapVectorResult, LbfgsStopReason } from '@llmkit/numeric';

/** A percentile-bootstrap interval of one parameter. @public */
export interface ParameterInterval {
  readonly lower: number;
  readonly upper: number;
  readonly standardError: number;
}

/** The interval of component k of a vector bootstrap. @internal */
export function intervalAt(result: BootstrapVectorResult, k: number): ParameterInterval {
  return {
    lower: result.lower[k] as number,
    upper: result.upper[k] as number,
    standardError: result.standardError[k] as number,
  };
}

const CONVERGED: ReadonlySet<LbfgsStopReason> = new Set([
  'gradientTolerance',
  'functionTolerance',
  'stepTolerance',
]);

/** Whether L-BFGS stopped on a tolerance rather than a limit or a failure. @internal */
export function isConverged(reason: LbfgsStopReason): boolean {
  return CONVERGED.has(reason);
}
