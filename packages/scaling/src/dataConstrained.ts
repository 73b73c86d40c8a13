/**
 * Data-constrained scaling, Muennighoff et al. (2023), "Scaling Data-Constrained Language
 * Models" (arXiv:2305.16264), §3.1 eqs. 5–6 and appendix A. Repeated tokens are worth less
 * than fresh ones, and parameters beyond what the unique data can use are worth less than
 * needed ones, each decaying exponentially with a fitted constant:
 *
 *   D′ = U_D + U_D·R*_D·(1 − e^(−R_D/R*_D)),  R_D = D/U_D − 1 (repetitions after the first epoch)
 *   N′ = U_N + U_N·R*_N·(1 − e^(−R_N/R*_N)),  U_N = min(N_opt(U_D), N), R_N = N/U_N − 1
 *
 * and L = E + A/N′^α + B/D′^β. N_opt(U_D) is the compute-optimal size for U_D tokens.
 * Their fit: R*_D = 15.387756, R*_N = 5.309743 (appendix A); D′ never exceeds U_D·(1 + R*_D).
 */
import { minimizeMultiStart } from '@llmkit/numeric';
import { type ChinchillaLaw, checkLaw } from './chinchillaLaw.js';
import { allocationConstants, type ComputeOptimal, computeOptimal } from './computeOptimal.js';
import { ScalingError } from './errors.js';
import { check } from './internal/check.js';
import { checkCount } from './internal/counts.js';

/** The decay constants of repeated data and excess parameters. @public */
export interface RepetitionConstants {
  /** R*_D: repetitions at which repeated data has lost 1 − 1/e of its value. */
  readonly data: number;
  /** R*_N: the same for excess parameters. */
  readonly params: number;
}

/** Muennighoff et al. (2023), appendix A: R*_D = 15.387756, R*_N = 5.309743. @public */
export const muennighoff2023Repetition: RepetitionConstants = Object.freeze({
  data: 15.387756,
  params: 5.309743,
});

/**
 * The Chinchilla-form law Muennighoff et al. (2023, appendix A) fitted on their C4 runs, with
 * α = β: a = 6.255414, b = 7.3049974, e = 0.6254804, α = β = 0.3526596 (A ≈ 521, B ≈ 1488,
 * E ≈ 1.87). Their R* constants were fitted with it.
 * @public
 */
export const chinchillaMuennighoff2023: ChinchillaLaw = Object.freeze({
  E: Math.exp(0.6254804),
  A: Math.exp(6.255414),
  B: Math.exp(7.3049974),
  alpha: 0.3526596,
  beta: 0.3526596,
});

/** A run that may repeat its data. @public */
export interface RepeatedRun {
  /** Parameters N (raw count). */
  readonly params: number;
  /** Tokens seen in training D, repeats included (raw count). */
  readonly tokens: number;
  /** Unique tokens available U_D (raw count); D/U_D is the number of epochs. */
  readonly uniqueTokens: number;
}

/** Effective data and parameters of a run, and the loss they predict. @public */
export interface DataConstrainedLoss {
  /** D′. */
  readonly effectiveTokens: number;
  /** N′. */
  readonly effectiveParams: number;
  /** Epochs over the unique data, D / U_D. */
  readonly epochs: number;
  readonly loss: number;
}

/**
 * Effective data D′ when D tokens are drawn from U_D unique ones (eq. 5).
 *
 * @example
 * ```ts
 * effectiveTokens({ tokens: 4e11, uniqueTokens: 1e11 }); // 3.73e11: 4 epochs ≈ 3.7 fresh
 * ```
 * @public
 */
export function effectiveTokens(
  run: Pick<RepeatedRun, 'tokens' | 'uniqueTokens'>,
  constants: RepetitionConstants = muennighoff2023Repetition,
): number {
  const fn = 'effectiveTokens';
  const D = checkCount(fn, 'tokens', run?.tokens, 'tokens');
  const U = checkCount(fn, 'uniqueTokens', run.uniqueTokens, 'tokens');
  return decayed(
    Math.min(U, D),
    D / Math.min(U, D) - 1,
    check.positive(fn, 'constants.data', constants.data),
  );
}

/**
 * Effective parameters N′ of N parameters trained on U_D unique tokens (eq. 6), with the
 * law's compute-optimal size for U_D as U_N.
 * @public
 */
export function effectiveParams(
  law: ChinchillaLaw,
  run: Pick<RepeatedRun, 'params' | 'uniqueTokens'>,
  constants: RepetitionConstants = muennighoff2023Repetition,
): number {
  const fn = 'effectiveParams';
  const checked = checkLaw(fn, law);
  const N = checkCount(fn, 'params', run?.params, 'parameters');
  const U = checkCount(fn, 'uniqueTokens', run.uniqueTokens, 'tokens');
  return effectiveParamsOf(checked, N, U, check.positive(fn, 'constants.params', constants.params));
}

/**
 * The loss of a run that repeats its data: L = E + A/N′^α + B/D′^β.
 * @public
 */
export function dataConstrainedLoss(
  law: ChinchillaLaw,
  run: RepeatedRun,
  constants: RepetitionConstants = muennighoff2023Repetition,
): DataConstrainedLoss {
  const fn = 'dataConstrainedLoss';
  const checked = checkLaw(fn, law);
  const N = checkCount(fn, 'params', run?.params, 'parameters');
  const D = checkCount(fn, 'tokens', run.tokens, 'tokens');
  const U = checkCount(fn, 'uniqueTokens', run.uniqueTokens, 'tokens');
  const rData = check.positive(fn, 'constants.data', constants?.data);
  const rParams = check.positive(fn, 'constants.params', constants.params);
  return lossOf(checked, N, D, U, rData, rParams);
}

/** The allocation of {@link dataConstrainedOptimal}. @public */
export interface DataConstrainedOptimal extends DataConstrainedLoss {
  readonly flops: number;
  readonly params: number;
  readonly tokens: number;
  readonly uniqueTokens: number;
  /** The unconstrained compute-optimal run at the same budget, for comparison. */
  readonly unconstrained: ComputeOptimal;
}

/**
 * The best N and D = C/(6N) for a FLOP budget when only `uniqueTokens` unique tokens exist
 * (Muennighoff et al. 2023, §3.2, Figure 3): minimises the data-constrained loss over N.
 *
 * @example
 * ```ts
 * const run = dataConstrainedOptimal(chinchillaMuennighoff2023, 1e24, 1e11);
 * run.epochs; // how many passes over the 100B unique tokens pay off
 * ```
 * @public
 */
export function dataConstrainedOptimal(
  law: ChinchillaLaw,
  flops: number,
  uniqueTokens: number,
  constants: RepetitionConstants = muennighoff2023Repetition,
): DataConstrainedOptimal {
  const fn = 'dataConstrainedOptimal';
  const checked = checkLaw(fn, law);
  const C = checkCount(fn, 'flops', flops, 'flops');
  const U = checkCount(fn, 'uniqueTokens', uniqueTokens, 'tokens');
  const rData = check.positive(fn, 'constants.data', constants?.data);
  const rParams = check.positive(fn, 'constants.params', constants.params);
  const unconstrained = computeOptimal(checked, C);
  const logMax = Math.log(C / 6 / 1e3); // D ≥ 1e3 tokens
  const logMin = Math.log(1e3);
  if (!(logMax > logMin)) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'flops',
      detail: `a budget of ${C} FLOPs is too small to train any model on any data.`,
    });
  }
  // ln N over the feasible range; the loss has kinks (min, max in eqs. 5–6), so start from a
  // grid around the unconstrained optimum and keep the best.
  const lossAtLogN = (x: Float64Array): number => {
    const N = Math.exp(x[0] as number);
    return lossOf(checked, N, C / 6 / N, U, rData, rParams).loss;
  };
  const centre = Math.log(unconstrained.params);
  const starts: number[][] = [];
  for (let k = -12; k <= 12; k++) {
    const x = centre + k * Math.log(10) * 0.5;
    if (x > logMin && x < logMax) starts.push([x]);
  }
  if (starts.length === 0) starts.push([(logMin + logMax) / 2]);
  const best = minimizeMultiStart(lossAtLogN, starts, { gradientTolerance: 1e-10 }).best;
  const N = Math.min(Math.max(Math.exp(best.x[0] as number), 1e3), C / 6 / 1e3);
  const D = C / 6 / N;
  return {
    flops: C,
    params: N,
    tokens: D,
    uniqueTokens: U,
    ...lossOf(checked, N, D, U, rData, rParams),
    unconstrained,
  };
}

/** U + U·R*·(1 − e^(−R/R*)). */
function decayed(unique: number, repetitions: number, rStar: number): number {
  return unique + unique * rStar * -Math.expm1(-Math.max(repetitions, 0) / rStar);
}

function effectiveParamsOf(law: ChinchillaLaw, N: number, U: number, rStar: number): number {
  // N_opt for U_D tokens: D_opt = G⁻¹(C/6)^b ⇒ C/6 = (G·U)^(1/b), N_opt = G·(C/6)^a.
  const { G, a, b } = allocationConstants(law);
  const uniqueParams = Math.min(G * (G * U) ** (a / b), N);
  return decayed(uniqueParams, N / uniqueParams - 1, rStar);
}

function lossOf(
  law: ChinchillaLaw,
  N: number,
  D: number,
  U: number,
  rData: number,
  rParams: number,
): DataConstrainedLoss {
  const unique = Math.min(U, D);
  const effectiveTokens = decayed(unique, D / unique - 1, rData);
  const effectiveParams = effectiveParamsOf(law, N, unique, rParams);
  return {
    effectiveTokens,
    effectiveParams,
    epochs: D / U,
    loss: law.E + law.A * effectiveParams ** -law.alpha + law.B * effectiveTokens ** -law.beta,
  };
}
