/**
 * The educational twin of the preference and reward losses: float64 loops over plain arrays,
 * one formula per loss type, written from TRL's formulas (see each tensor version's header).
 * Metrics are returned as TRL logs them: batch means.
 */
import { logSigmoid, sigmoid } from '@llmkit/numeric';
import type { DpoLossType } from '../dpoLoss.js';
import type { KtoLossType } from '../ktoLoss.js';

/** The loss and the batch means TRL logs. @public */
export interface PreferenceReferenceResult {
  readonly loss: number;
  /** Per-pair losses. */
  readonly losses: Float64Array;
  readonly chosenRewards: Float64Array;
  readonly rejectedRewards: Float64Array;
  /** Mean of chosen − rejected rewards. */
  readonly margin: number;
  /** Fraction of pairs with chosen reward > rejected reward. */
  readonly accuracy: number;
}

/** Sequence log-probs of preference pairs as plain arrays. @public */
export interface DpoReferenceInputs {
  readonly policyChosenLogps: ArrayLike<number>;
  readonly policyRejectedLogps: ArrayLike<number>;
  readonly referenceChosenLogps: ArrayLike<number>;
  readonly referenceRejectedLogps: ArrayLike<number>;
}

const mean = (x: ArrayLike<number>): number => Array.from(x).reduce((a, b) => a + b, 0) / x.length;
const sortedCopy = (x: ArrayLike<number>): number[] => Array.from(x).sort((a, b) => a - b);

function result(
  losses: Float64Array,
  chosenRewards: Float64Array,
  rejectedRewards: Float64Array,
  loss = mean(losses),
): PreferenceReferenceResult {
  let margin = 0;
  let correct = 0;
  for (let i = 0; i < chosenRewards.length; i++) {
    margin += (chosenRewards[i]! - rejectedRewards[i]!) / chosenRewards.length;
    if (chosenRewards[i]! > rejectedRewards[i]!) correct++;
  }
  const accuracy = correct / chosenRewards.length;
  return { loss, losses, chosenRewards, rejectedRewards, margin, accuracy };
}

/** −(1−ε)·log σ(βd) − ε·log σ(−βd). */
function smoothed(d: number, beta: number, eps: number): number {
  return -(1 - eps) * logSigmoid(beta * d) - eps * logSigmoid(-beta * d);
}

/**
 * Every DPO loss type of TRL in float64. `bcoDelta` defaults to the batch mean of the rewards.
 * @public
 */
export function dpoLossReference(
  inputs: DpoReferenceInputs,
  options: {
    readonly beta?: number;
    readonly lossType?: DpoLossType;
    readonly labelSmoothing?: number;
    readonly discopopTau?: number;
    readonly bcoDelta?: number;
  } = {},
): PreferenceReferenceResult {
  const beta = options.beta ?? 0.1;
  const eps = options.labelSmoothing ?? 0;
  const tau = options.discopopTau ?? 0.05;
  const n = inputs.policyChosenLogps.length;
  const c = Float64Array.from(
    { length: n },
    (_, i) => inputs.policyChosenLogps[i]! - inputs.referenceChosenLogps[i]!,
  );
  const r = Float64Array.from(
    { length: n },
    (_, i) => inputs.policyRejectedLogps[i]! - inputs.referenceRejectedLogps[i]!,
  );
  const chosenRewards = c.map((x) => beta * x);
  const rejectedRewards = r.map((x) => beta * x);
  const delta = options.bcoDelta ?? (mean(chosenRewards) + mean(rejectedRewards)) / 2;
  const policy = Array.from(
    { length: n },
    (_, i) => inputs.policyChosenLogps[i]! - inputs.policyRejectedLogps[i]!,
  );
  const reference = Array.from(
    { length: n },
    (_, i) => inputs.referenceChosenLogps[i]! - inputs.referenceRejectedLogps[i]!,
  );
  const sortedAot = [sortedCopy(policy), sortedCopy(reference)];
  const sortedPair = [sortedCopy(c), sortedCopy(r)];
  const losses = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const h = c[i]! - r[i]!;
    switch (options.lossType ?? 'sigmoid') {
      case 'sigmoid':
        losses[i] = smoothed(h, beta, eps);
        break;
      case 'robust':
        losses[i] =
          (-(1 - eps) * logSigmoid(beta * h) + eps * logSigmoid(-beta * h)) / (1 - 2 * eps);
        break;
      case 'exo_pair': {
        const e = eps === 0 ? 1e-3 : eps;
        losses[i] =
          sigmoid(beta * h) * (logSigmoid(beta * h) - Math.log(1 - e)) +
          sigmoid(-beta * h) * (logSigmoid(-beta * h) - Math.log(e));
        break;
      }
      case 'hinge':
        losses[i] = Math.max(0, 1 - beta * h);
        break;
      case 'ipo':
        losses[i] = (h - 1 / (2 * beta)) ** 2;
        break;
      case 'bco_pair':
        losses[i] = -logSigmoid(beta * c[i]! - delta) - logSigmoid(-(beta * r[i]! - delta));
        break;
      case 'sppo_hard':
        losses[i] = (c[i]! - 0.5 / beta) ** 2 + (r[i]! + 0.5 / beta) ** 2;
        break;
      case 'nca_pair':
        losses[i] =
          -logSigmoid(beta * c[i]!) -
          0.5 * logSigmoid(-beta * c[i]!) -
          0.5 * logSigmoid(-beta * r[i]!);
        break;
      case 'aot_pair':
        losses[i] = smoothed(sortedPair[0]![i]! - sortedPair[1]![i]!, beta, eps);
        break;
      case 'aot':
        losses[i] = smoothed(sortedAot[0]![i]! - sortedAot[1]![i]!, beta, eps);
        break;
      case 'apo_zero':
        losses[i] = 1 - sigmoid(beta * c[i]!) + sigmoid(beta * r[i]!);
        break;
      case 'apo_down':
        losses[i] = sigmoid(beta * c[i]!) + 1 - sigmoid(beta * h);
        break;
      case 'discopop': {
        const w = sigmoid((beta * h) / tau);
        losses[i] = -logSigmoid(beta * h) * (1 - w) + Math.exp(-beta * h) * w;
        break;
      }
    }
  }
  return result(losses, chosenRewards, rejectedRewards);
}

/** SimPO in float64 (inputs are length-normalised log-probs). @public */
export function simpoLossReference(
  chosen: ArrayLike<number>,
  rejected: ArrayLike<number>,
  options: {
    readonly beta?: number;
    readonly gamma?: number;
    readonly labelSmoothing?: number;
  } = {},
): PreferenceReferenceResult {
  const beta = options.beta ?? 2;
  const gamma = options.gamma ?? 1;
  const eps = options.labelSmoothing ?? 0;
  const losses = Float64Array.from({ length: chosen.length }, (_, i) => {
    const z = beta * (chosen[i]! - rejected[i]!) - gamma;
    return -(1 - eps) * logSigmoid(z) - eps * logSigmoid(-z);
  });
  return result(
    losses,
    Float64Array.from(chosen, (x) => beta * x),
    Float64Array.from(rejected, (x) => beta * x),
  );
}

/** ORPO in float64: chosenNll + β·mean(−log σ(log odds ratio)). @public */
export function orpoLossReference(
  chosen: ArrayLike<number>,
  rejected: ArrayLike<number>,
  chosenNll: number,
  beta = 0.1,
): PreferenceReferenceResult & { readonly logOddsRatio: number; readonly logOddsChosen: number } {
  const logOdds = (l: number): number => l - Math.log(-Math.expm1(l));
  const odds = Float64Array.from(
    { length: chosen.length },
    (_, i) => logOdds(chosen[i]!) - logOdds(rejected[i]!),
  );
  const ratio = odds.map((x) => logSigmoid(x));
  const base = result(
    ratio.map((x) => -beta * x),
    Float64Array.from(chosen, (x) => beta * x),
    Float64Array.from(rejected, (x) => beta * x),
    chosenNll - beta * mean(ratio),
  );
  return { ...base, logOddsRatio: mean(ratio), logOddsChosen: mean(odds) };
}

/** KTO in float64; `kl` is the reference point z₀ (0 when no KL inputs are given). @public */
export function ktoLossReference(
  inputs: {
    readonly policyChosenLogps: ArrayLike<number>;
    readonly policyRejectedLogps: ArrayLike<number>;
    readonly referenceChosenLogps: ArrayLike<number>;
    readonly referenceRejectedLogps: ArrayLike<number>;
    readonly policyKlLogps?: ArrayLike<number>;
    readonly referenceKlLogps?: ArrayLike<number>;
  },
  options: {
    readonly beta?: number;
    readonly desirableWeight?: number;
    readonly undesirableWeight?: number;
    readonly lossType?: KtoLossType;
  } = {},
): { loss: number; kl: number; margin: number; accuracy: number } {
  const beta = options.beta ?? 0.1;
  const kto = (options.lossType ?? 'kto') === 'kto';
  const pk = inputs.policyKlLogps;
  const rk = inputs.referenceKlLogps;
  const kl =
    pk === undefined || rk === undefined
      ? 0
      : Math.max(0, mean(Array.from(pk, (x, i) => x - rk[i]!)));
  const c = Array.from(inputs.policyChosenLogps, (x, i) => x - inputs.referenceChosenLogps[i]!);
  const r = Array.from(inputs.policyRejectedLogps, (x, i) => x - inputs.referenceRejectedLogps[i]!);
  let total = 0;
  for (const x of c)
    total += (options.desirableWeight ?? 1) * (1 - sigmoid(beta * (kto ? x - kl : x)));
  for (const x of r)
    total +=
      (options.undesirableWeight ?? 1) * (kto ? 1 - sigmoid(beta * (kl - x)) : sigmoid(beta * x));
  let ordered = 0;
  for (const x of c) for (const y of r) if (beta * x > beta * y) ordered++;
  return {
    loss: total / (c.length + r.length),
    kl,
    margin: beta * mean(c) - beta * mean(r),
    accuracy: ordered / (c.length * r.length),
  };
}

/** The Bradley–Terry reward-model loss in float64. @public */
export function rewardModelLossReference(
  chosen: ArrayLike<number>,
  rejected: ArrayLike<number>,
  options: {
    readonly margin?: number | ArrayLike<number>;
    readonly centerRewardsCoefficient?: number;
  } = {},
): { loss: number; accuracy: number } {
  const n = chosen.length;
  let loss = 0;
  let center = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const m = typeof options.margin === 'number' ? options.margin : (options.margin?.[i] ?? 0);
    loss -= logSigmoid(chosen[i]! - rejected[i]! - m) / n;
    center += (chosen[i]! + rejected[i]!) ** 2 / n;
    if (chosen[i]! > rejected[i]!) correct++;
  }
  return { loss: loss + (options.centerRewardsCoefficient ?? 0) * center, accuracy: correct / n };
}
