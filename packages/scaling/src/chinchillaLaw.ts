/**
 * The Chinchilla law L(N, D) = E + A/N^α + B/D^β (Hoffmann et al. 2022, eq. 2): loss in nats
 * per token as a function of parameters N and training tokens D. E is the irreducible loss;
 * the other two terms are what a finite model and finite data cost.
 */
import { ScalingError } from './errors.js';
import { check } from './internal/check.js';
import { checkCount } from './internal/counts.js';

/** The five parameters of L(N, D) = E + A/N^α + B/D^β. @public */
export interface ChinchillaLaw {
  /** Irreducible loss (nats per token). */
  readonly E: number;
  /** Coefficient of the model-size term. */
  readonly A: number;
  /** Coefficient of the data term. */
  readonly B: number;
  /** Exponent of N. */
  readonly alpha: number;
  /** Exponent of D. */
  readonly beta: number;
}

/**
 * Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", eq. 10 (their
 * Approach 3 fit): E = 1.69, A = 406.4, B = 410.7, α = 0.34, β = 0.28.
 * @public
 */
export const chinchillaHoffmann2022: ChinchillaLaw = Object.freeze({
  E: 1.69,
  A: 406.4,
  B: 410.7,
  alpha: 0.34,
  beta: 0.28,
});

/**
 * Besiroglu, Erdil, Barnett & You (2024), "Chinchilla Scaling: A replication attempt"
 * (arXiv:2404.10102), Table 1, "Our estimate" from 240 points reconstructed from Hoffmann et
 * al.'s Figure 4: E = 1.82 (1.8172 unrounded), A = 482.01, B = 2085.43, α = 0.3478, β = 0.3658.
 * `fitScalingLaw(points, { scale: 'fitted' })` reproduces it from the same data.
 * @public
 */
export const chinchillaBesiroglu2024: ChinchillaLaw = Object.freeze({
  E: 1.8172,
  A: 482.01,
  B: 2085.43,
  alpha: 0.3478,
  beta: 0.3658,
});

/** Validates a law given by a caller. @internal */
export function checkLaw(fn: string, law: ChinchillaLaw): ChinchillaLaw {
  if (typeof law !== 'object' || law === null) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'law',
      detail:
        'expected {E, A, B, alpha, beta}, e.g. a fitScalingLaw() result or chinchillaHoffmann2022.',
    });
  }
  return {
    E: check.nonNegative(fn, 'law.E', law.E),
    A: check.positive(fn, 'law.A', law.A),
    B: check.positive(fn, 'law.B', law.B),
    alpha: check.positive(fn, 'law.alpha', law.alpha),
    beta: check.positive(fn, 'law.beta', law.beta),
  };
}

/** L(N, D) without checks, for loops inside the package. @internal */
export function lossAt(law: ChinchillaLaw, params: number, tokens: number): number {
  return law.E + law.A * params ** -law.alpha + law.B * tokens ** -law.beta;
}

/**
 * The loss a law predicts for N parameters trained on D tokens.
 *
 * @example
 * ```ts
 * predictLoss(chinchillaHoffmann2022, { params: 70e9, tokens: 1.4e12 }); // 1.937 (Chinchilla)
 * ```
 * @public
 */
export function predictLoss(
  law: ChinchillaLaw,
  { params, tokens }: { readonly params: number; readonly tokens: number },
): number {
  const fn = 'predictLoss';
  const checked = checkLaw(fn, law);
  return lossAt(
    checked,
    checkCount(fn, 'params', params, 'parameters'),
    checkCount(fn, 'tokens', tokens, 'tokens'),
  );
}
