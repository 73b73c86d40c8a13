/**
 * Where the Chinchilla fit starts: the grid of Hoffmann et al. (2022, appendix D.2), used
 * unchanged by Besiroglu et al. (2024), or one law given by the caller.
 */
import { gridPoints } from '@llmkit/numeric';
import { type ChinchillaLaw, checkLaw } from './chinchillaLaw.js';
import { ScalingError } from './errors.js';

/** Initial values of θ = (a, b, e, α, β) tried by the grid search, one list per coordinate. @public */
export interface ChinchillaGrid {
  readonly a: readonly number[];
  readonly b: readonly number[];
  readonly e: readonly number[];
  readonly alpha: readonly number[];
  readonly beta: readonly number[];
}

/**
 * The grid of Hoffmann et al. (2022, appendix D.2), used by Besiroglu et al. (2024):
 * α, β ∈ {0, 0.5, …, 2}, e ∈ {−1, −0.5, …, 1}, a, b ∈ {0, 5, …, 25}: 4,500 starts.
 * @public
 */
export const hoffmannGrid: ChinchillaGrid = Object.freeze({
  a: [0, 5, 10, 15, 20, 25],
  b: [0, 5, 10, 15, 20, 25],
  e: [-1, -0.5, 0, 0.5, 1],
  alpha: [0, 0.5, 1, 1.5, 2],
  beta: [0, 0.5, 1, 1.5, 2],
});

/**
 * θ = (a, b, e, α, β) of every start: the grid's product in Besiroglu et al.'s order
 * (α slowest, then β, e, a, b), or the single law given.
 * @internal
 */
export function startsOf(
  fn: string,
  grid: ChinchillaGrid | undefined,
  start: ChinchillaLaw | undefined,
): Float64Array[] {
  if (start !== undefined && grid !== undefined) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'options.start, options.grid',
      detail: 'give a grid of starts or a single start, not both.',
    });
  }
  if (start !== undefined) {
    const law = checkLaw(fn, start);
    if (law.E === 0) {
      throw new ScalingError({
        code: 'INVALID_ARGUMENT',
        fn,
        argument: 'options.start.E',
        detail: 'expected E > 0: the fit works with log E.',
      });
    }
    return [
      Float64Array.of(Math.log(law.A), Math.log(law.B), Math.log(law.E), law.alpha, law.beta),
    ];
  }
  const g = grid ?? hoffmannGrid;
  return gridPoints([g.alpha, g.beta, g.e, g.a, g.b]).map(([alpha, beta, e, a, b]) =>
    Float64Array.of(a as number, b as number, e as number, alpha as number, beta as number),
  );
}
