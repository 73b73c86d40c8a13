/**
 * A measured training run: model size, tokens and final loss, the unit of every fit here.
 */
import { ScalingError } from './errors.js';
import { check } from './internal/check.js';
import type { LogPoints } from './internal/chinchillaObjective.js';
import { checkCount } from './internal/counts.js';

/** One training run: N parameters trained on D tokens reached this loss. @public */
export interface ScalingPoint {
  /** Parameters N, a raw count (70e9, not 70). */
  readonly params: number;
  /** Training tokens D, a raw count (1.4e12, not 1.4). */
  readonly tokens: number;
  /** Final loss in nats per token (> 0). */
  readonly loss: number;
}

/**
 * Validates points and takes their logarithms. Needs at least `minimum` points (one more than
 * the parameters fitted, named by `what`) and two distinct values of N and of D.
 * @internal
 */
export function toLogPoints(
  fn: string,
  points: readonly ScalingPoint[],
  minimum: number,
  what: string,
): LogPoints {
  if (!Array.isArray(points)) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'points',
      detail: 'expected an array of {params, tokens, loss}.',
    });
  }
  if (points.length < minimum) {
    throw new ScalingError({
      code: 'EMPTY_INPUT',
      fn,
      argument: 'points',
      detail: `expected at least ${minimum} points to fit ${what}, received ${points.length}. With fewer points than parameters the fit is not determined; add runs.`,
    });
  }
  const n = points.length;
  const logN = new Float64Array(n);
  const logD = new Float64Array(n);
  const logL = new Float64Array(n);
  points.forEach((p, i) => {
    if (typeof p !== 'object' || p === null) {
      throw new ScalingError({
        code: 'INVALID_ARGUMENT',
        fn,
        argument: `points[${i}]`,
        detail: 'expected {params, tokens, loss}.',
      });
    }
    logN[i] = Math.log(checkCount(fn, `points[${i}].params`, p.params, 'parameters'));
    logD[i] = Math.log(checkCount(fn, `points[${i}].tokens`, p.tokens, 'tokens'));
    logL[i] = Math.log(check.positive(fn, `points[${i}].loss`, p.loss));
  });
  for (const [name, values] of [
    ['params', logN],
    ['tokens', logD],
  ] as const) {
    if (values.every((v) => v === values[0])) {
      throw new ScalingError({
        code: 'INVALID_ARGUMENT',
        fn,
        argument: 'points',
        detail: `every point has the same ${name}; the law's dependence on ${name} cannot be fitted. Vary ${name} across runs.`,
      });
    }
  }
  return { logN, logD, logL };
}
