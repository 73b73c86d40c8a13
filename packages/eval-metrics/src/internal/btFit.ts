/**
 * The Bradley–Terry maximum-likelihood fit on aggregated pairs, shared by `bradleyTerry` and
 * `bootstrapRatings`. With pair totals Wᵢⱼ (battles) and Sᵢⱼ (wins of i, ties counting ½), the
 * negative log-likelihood in natural units θ (P(i beats j) = σ(θᵢ − θⱼ)) is
 *   Σ_pairs Wᵢⱼ log(1 + e^{θᵢ−θⱼ}) − Sᵢⱼ (θᵢ − θⱼ)    (+ (l2/2)‖θ‖²),
 * the same objective as FastChat's `bt_loss_and_grad` (`fastchat/serve/monitor/rating_systems.py`)
 * divided by the number of battles, minimised by numeric's L-BFGS to a gradient ∞-norm of
 * `tolerance` instead of FastChat's `gtol=1e-6, maxiter=100`.
 */
import { log1pExp, minimizeLbfgs, sigmoid } from '@llmkit/numeric';
import { EvalMetricsError } from '../errors.js';

/** Pair totals in flat arrays (one entry per unordered pair with battles). */
export interface PairTotals {
  readonly first: Int32Array;
  readonly second: Int32Array;
  /** Battles of the pair. */
  readonly battles: Float64Array;
  /** Wins of `first` plus half the ties. */
  readonly score: Float64Array;
}

export interface FitSettings {
  readonly models: number;
  readonly l2: number;
  readonly tolerance: number;
  readonly maxIterations: number;
}

export interface FitOutcome {
  /** θ, natural units, centred to mean 0. */
  readonly theta: Float64Array;
  /** ∞-norm of ∇(NLL / battles) at θ. */
  readonly gradientNorm: number;
  /** NLL / battles at θ (penalty included). */
  readonly meanLoss: number;
  readonly iterations: number;
  readonly converged: boolean;
}

export function fitBradleyTerry(
  pairs: PairTotals,
  settings: FitSettings,
  start?: Float64Array,
): FitOutcome {
  const { first, second, battles, score } = pairs;
  const m = settings.models;
  let total = 0;
  for (let k = 0; k < battles.length; k++) total += battles[k] as number;
  const inv = 1 / total;
  const l2 = settings.l2;
  const objective = {
    valueAndGradient(theta: Float64Array, gradient: Float64Array): number {
      gradient.fill(0);
      let loss = 0;
      for (let k = 0; k < first.length; k++) {
        const w = battles[k] as number;
        if (w === 0) continue;
        const i = first[k] as number;
        const j = second[k] as number;
        const d = (theta[i] as number) - (theta[j] as number);
        const s = score[k] as number;
        loss += w * log1pExp(d) - s * d;
        const r = w * sigmoid(d) - s;
        gradient[i] = (gradient[i] as number) + r;
        gradient[j] = (gradient[j] as number) - r;
      }
      let penalty = 0;
      for (let i = 0; i < m; i++) {
        const t = theta[i] as number;
        penalty += t * t;
        gradient[i] = ((gradient[i] as number) + l2 * t) * inv;
      }
      return (loss + 0.5 * l2 * penalty) * inv;
    },
  };
  const result = minimizeLbfgs(objective, start ?? new Float64Array(m), {
    gradientTolerance: settings.tolerance,
    functionTolerance: 0,
    maxIterations: settings.maxIterations,
  });
  // The likelihood is invariant to a common shift; report the centred solution.
  const theta = result.x;
  let mean = 0;
  for (let i = 0; i < m; i++) mean += theta[i] as number;
  mean /= m;
  if (l2 === 0) for (let i = 0; i < m; i++) theta[i] = (theta[i] as number) - mean;
  return {
    theta,
    gradientNorm: result.gradientNorm,
    meanLoss: result.value,
    iterations: result.iterations,
    converged: result.converged,
  };
}

/**
 * The unpenalised maximum-likelihood estimate exists iff the "beats or ties" digraph is strongly
 * connected (Zermelo 1929; Ford, "Solution of a ranking problem from binary comparisons", 1957):
 * otherwise some group of models never loses to the rest and its ratings run to infinity.
 * Returns a model that cannot be rated against model 0, or -1.
 */
export function unidentifiedModel(pairs: PairTotals, models: number): number {
  const forward: number[][] = Array.from({ length: models }, () => []);
  const backward: number[][] = Array.from({ length: models }, () => []);
  for (let k = 0; k < pairs.first.length; k++) {
    const w = pairs.battles[k] as number;
    if (w === 0) continue;
    const i = pairs.first[k] as number;
    const j = pairs.second[k] as number;
    const s = pairs.score[k] as number;
    // i → j when i took at least half a point from j, and j → i likewise.
    if (s > 0) {
      (forward[i] as number[]).push(j);
      (backward[j] as number[]).push(i);
    }
    if (s < w) {
      (forward[j] as number[]).push(i);
      (backward[i] as number[]).push(j);
    }
  }
  for (const graph of [forward, backward]) {
    const seen = new Uint8Array(models);
    const stack = [0];
    seen[0] = 1;
    while (stack.length > 0) {
      for (const next of graph[stack.pop() as number] as number[]) {
        if (!seen[next]) {
          seen[next] = 1;
          stack.push(next);
        }
      }
    }
    const missing = seen.indexOf(0);
    if (missing !== -1) return missing;
  }
  return -1;
}

/** The error for data whose ratings are not identified. */
export function notIdentified(fn: string, model: string, context: string): EvalMetricsError {
  return new EvalMetricsError({
    code: 'INVALID_ARGUMENT',
    fn,
    argument: 'battles',
    detail: `the ratings are not identified${context}: ${JSON.stringify(model)} is not connected both ways to the other models (a group of models never loses, or never wins, against the rest, or has no battles), so its maximum-likelihood rating is infinite. Collect battles that connect it, or pass options.l2 > 0 (a Gaussian prior) to shrink ratings toward the mean.`,
  });
}
