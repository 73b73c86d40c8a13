/**
 * Compute-optimal allocation under the Chinchilla law with C = 6·N·D (Hoffmann et al. 2022,
 * §3.3 and appendix D.3, eq. 4):
 *
 *   N_opt(C) = G·(C/6)^a,  D_opt(C) = G⁻¹·(C/6)^b,
 *   G = (αA / βB)^(1/(α+β)),  a = β/(α+β),  b = α/(α+β).
 *
 * At the optimum both terms shrink together: L*(C) = E + K·(C/6)^(−αβ/(α+β)) with
 * K = A·G^(−α) + B·G^β, which inverts in closed form to the budget that reaches a loss.
 */
import { type ChinchillaLaw, checkLaw, lossAt } from './chinchillaLaw.js';
import { ScalingError } from './errors.js';
import { extrapolationFactor, type FitRange } from './fitRange.js';
import { check } from './internal/check.js';
import { checkCount } from './internal/counts.js';

/** A compute-optimal training run. @public */
export interface ComputeOptimal {
  /** The FLOP budget C = 6·N·D. */
  readonly flops: number;
  /** N_opt. */
  readonly params: number;
  /** D_opt. */
  readonly tokens: number;
  /** D_opt / N_opt (≈ 20 for Hoffmann et al.'s fit at Chinchilla's budget). */
  readonly tokensPerParam: number;
  /** The loss the law predicts there. */
  readonly loss: number;
  /** Exponents of N_opt ∝ C^a and D_opt ∝ C^b. */
  readonly exponents: { readonly params: number; readonly tokens: number };
  /**
   * How far outside the fitted data this lies (factor ≥ 1 per quantity; 1 = inside). Present
   * when the law carries its `range` (any `fitScalingLaw` result does).
   */
  readonly extrapolation?: {
    readonly flops: number;
    readonly params: number;
    readonly tokens: number;
  };
  /** Plain-language warnings, e.g. an extrapolation beyond the data. */
  readonly warnings: readonly string[];
}

/** A law, optionally with the range of the data it was fitted on. @public */
export type LawWithRange = ChinchillaLaw & { readonly range?: FitRange };

/** G, a, b and the optimal-loss constants of a law. @internal */
export function allocationConstants(law: ChinchillaLaw): {
  G: number;
  a: number;
  b: number;
  gamma: number;
  K: number;
} {
  const { A, B, alpha, beta } = law;
  const G = ((alpha * A) / (beta * B)) ** (1 / (alpha + beta));
  const K = A * G ** -alpha + B * G ** beta;
  return {
    G,
    a: beta / (alpha + beta),
    b: alpha / (alpha + beta),
    gamma: (alpha * beta) / (alpha + beta),
    K,
  };
}

/**
 * The compute-optimal model size and token count for a FLOP budget, and the loss there.
 *
 * @example
 * ```ts
 * const run = computeOptimal(chinchillaHoffmann2022, 5.76e23); // Chinchilla's budget
 * run.params; run.tokens; run.tokensPerParam; run.loss;
 * ```
 * @throws ScalingError on a bad law or a budget that is not a positive raw FLOP count.
 * @public
 */
export function computeOptimal(law: LawWithRange, flops: number): ComputeOptimal {
  const fn = 'computeOptimal';
  const checked = checkLaw(fn, law);
  const C = checkCount(fn, 'flops', flops, 'flops');
  const { G, a, b } = allocationConstants(checked);
  const params = G * (C / 6) ** a;
  const tokens = C / 6 / params;
  return withRange(law.range, {
    flops: C,
    params,
    tokens,
    tokensPerParam: tokens / params,
    loss: lossAt(checked, params, tokens),
    exponents: { params: a, tokens: b },
  });
}

/**
 * The smallest FLOP budget whose compute-optimal run reaches `targetLoss`: the inverse of
 * {@link computeOptimal}, C = 6·((L − E)/K)^(−(α+β)/(αβ)).
 *
 * @throws ScalingError when the target is at or below the irreducible loss E.
 * @public
 */
export function flopsForLoss(law: LawWithRange, targetLoss: number): ComputeOptimal {
  const fn = 'flopsForLoss';
  const checked = checkLaw(fn, law);
  const target = check.positive(fn, 'targetLoss', targetLoss);
  if (target <= checked.E) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'targetLoss',
      detail: `expected a loss above the law's irreducible loss E = ${checked.E}, received ${target}. No budget reaches it.`,
    });
  }
  const { gamma, K } = allocationConstants(checked);
  const C = 6 * ((target - checked.E) / K) ** (-1 / gamma);
  if (!(C < Infinity) || C < 6e6) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'targetLoss',
      detail: `a loss of ${target} needs ${C} FLOPs under this law, outside any meaningful budget; check the target's units (nats per token).`,
    });
  }
  return computeOptimal(law, C);
}

/** Adds extrapolation factors and warnings when the law knows its data's range. */
function withRange(
  range: FitRange | undefined,
  run: Omit<ComputeOptimal, 'warnings' | 'extrapolation'>,
): ComputeOptimal {
  if (range === undefined) return { ...run, warnings: [] };
  const extrapolation = {
    flops: extrapolationFactor(run.flops, range.flops),
    params: extrapolationFactor(run.params, range.params),
    tokens: extrapolationFactor(run.tokens, range.tokens),
  };
  const warnings: string[] = [];
  for (const [name, factor] of Object.entries(extrapolation)) {
    if (factor > 1) {
      warnings.push(
        `${name} = ${run[name as keyof typeof extrapolation].toExponential(3)} lies ${factor.toPrecision(3)}× outside the fitted data (${range[name as keyof FitRange].min.toExponential(2)} to ${range[name as keyof FitRange].max.toExponential(2)}): an extrapolation.`,
      );
    }
  }
  return { ...run, extrapolation, warnings };
}
