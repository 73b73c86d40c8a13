/**
 * The educational twin of the RL pieces: float64 loops over row-major [B, T] arrays, written
 * the way TRL writes them (GAE as its backward recursion, not as a matrix product). Masks are
 * 0/1 numbers.
 */
import type { KlEstimator } from '../perTokenKl.js';
import type { TokenAggregation } from '../ppoPolicyLoss.js';

/** k1, k2 or k3 of one token from log π and log π_ref. @public */
export function klReference(
  logProb: number,
  referenceLogProb: number,
  estimator: KlEstimator,
): number {
  const logRatio = referenceLogProb - logProb;
  if (estimator === 'k1') return -logRatio;
  if (estimator === 'k2') return 0.5 * logRatio * logRatio;
  return Math.expm1(logRatio) - logRatio;
}

/** Σ values·mask / max(Σ mask, 1). @public */
export function maskedMeanReference(values: ArrayLike<number>, mask: ArrayLike<number>): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]! * mask[i]!;
    count += mask[i]!;
  }
  return sum / Math.max(count, 1);
}

/** PPO's clipped policy loss and statistics in float64 ([B, T] arrays, `advantages` [B, T]). @public */
export function ppoPolicyLossReference(
  inputs: {
    readonly logProbs: ArrayLike<number>;
    readonly oldLogProbs: ArrayLike<number>;
    readonly advantages: ArrayLike<number>;
    readonly mask: ArrayLike<number>;
    readonly referenceLogProbs?: ArrayLike<number>;
  },
  batch: number,
  options: {
    readonly clipRange?: number;
    readonly clipRangeHigh?: number;
    readonly aggregation?: TokenAggregation;
    readonly klCoef?: number;
    readonly klEstimator?: KlEstimator;
  } = {},
): { loss: number; clipFraction: number; approxKl: number; meanRatio: number } {
  const low = options.clipRange ?? 0.2;
  const high = options.clipRangeHigh ?? low;
  const size = inputs.logProbs.length;
  const length = size / batch;
  const perToken = new Float64Array(size);
  const clipped = new Float64Array(size);
  const halfSquare = new Float64Array(size);
  const ratios = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const logRatio = inputs.logProbs[i]! - inputs.oldLogProbs[i]!;
    const ratio = Math.exp(logRatio);
    const a = inputs.advantages[i]!;
    const plain = -a * ratio;
    const clip = -a * Math.min(Math.max(ratio, 1 - low), 1 + high);
    perToken[i] = Math.max(plain, clip);
    if (options.klCoef !== undefined && options.klCoef > 0) {
      perToken[i]! +=
        options.klCoef *
        klReference(
          inputs.logProbs[i]!,
          inputs.referenceLogProbs![i]!,
          options.klEstimator ?? 'k3',
        );
    }
    clipped[i] = clip > plain ? 1 : 0;
    halfSquare[i] = 0.5 * logRatio * logRatio;
    ratios[i] = ratio;
  }
  let loss: number;
  const aggregation = options.aggregation ?? 'token-mean';
  if (aggregation === 'token-mean') loss = maskedMeanReference(perToken, inputs.mask);
  else if (aggregation === 'fixed-length')
    loss = (maskedMeanReference(perToken, inputs.mask) * sum(inputs.mask)) / size;
  else {
    loss = 0;
    for (let b = 0; b < batch; b++) {
      const rows = { start: b * length, end: (b + 1) * length };
      loss +=
        maskedMeanReference(
          perToken.slice(rows.start, rows.end),
          Array.from(inputs.mask).slice(rows.start, rows.end),
        ) / batch;
    }
  }
  return {
    loss,
    clipFraction: maskedMeanReference(clipped, inputs.mask),
    approxKl: maskedMeanReference(halfSquare, inputs.mask),
    meanRatio: maskedMeanReference(ratios, inputs.mask),
  };
}

function sum(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s;
}

/** PPO's clipped value loss in float64. @public */
export function ppoValueLossReference(
  values: ArrayLike<number>,
  oldValues: ArrayLike<number>,
  returns: ArrayLike<number>,
  mask: ArrayLike<number>,
  clipRange = 0.2,
): { loss: number; clipFraction: number } {
  const worst = new Float64Array(values.length);
  const clipped = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const old = oldValues[i]!;
    const vClip = old + Math.min(Math.max(v - old, -clipRange), clipRange);
    const e1 = (v - returns[i]!) ** 2;
    const e2 = (vClip - returns[i]!) ** 2;
    worst[i] = Math.max(e1, e2);
    clipped[i] = e2 > e1 ? 1 : 0;
  }
  return {
    loss: 0.5 * maskedMeanReference(worst, mask),
    clipFraction: maskedMeanReference(clipped, mask),
  };
}

/** TRL's GAE loop over [B, T] arrays, rewards and values zeroed outside the mask. @public */
export function gaeReference(
  rewards: ArrayLike<number>,
  values: ArrayLike<number>,
  mask: ArrayLike<number>,
  batch: number,
  gamma = 1,
  lambda = 0.95,
): { advantages: Float64Array; returns: Float64Array } {
  const length = rewards.length / batch;
  const advantages = new Float64Array(rewards.length);
  const returns = new Float64Array(rewards.length);
  for (let b = 0; b < batch; b++) {
    let last = 0;
    for (let t = length - 1; t >= 0; t--) {
      const i = b * length + t;
      const next = t + 1 < length ? values[i + 1]! * mask[i + 1]! : 0;
      const delta = rewards[i]! * mask[i]! + gamma * next - values[i]! * mask[i]!;
      last = delta + gamma * lambda * last;
      advantages[i] = last * mask[i]!;
      returns[i] = (last + values[i]! * mask[i]!) * mask[i]!;
    }
  }
  return { advantages, returns };
}

/** TRL's `masked_whiten` (unbiased variance, +1e-8), then 0 outside the mask. @public */
export function maskedWhitenReference(
  values: ArrayLike<number>,
  mask: ArrayLike<number>,
  shiftMean = true,
): Float64Array {
  const count = sum(mask);
  const mean = maskedMeanReference(values, mask);
  let variance = 0;
  for (let i = 0; i < values.length; i++) variance += mask[i]! * (values[i]! - mean) ** 2;
  variance /= count - 1;
  return Float64Array.from(
    values,
    (v, i) => mask[i]! * ((v - mean) / Math.sqrt(variance + 1e-8) + (shiftMean ? 0 : mean)),
  );
}

/** GRPO's group-relative advantages in float64. @public */
export function grpoAdvantagesReference(
  rewards: ArrayLike<number>,
  groupSize: number,
  scaleRewards: 'group' | 'batch' | 'none' = 'group',
): Float64Array {
  const out = new Float64Array(rewards.length);
  const std = (x: number[]): number => {
    const m = x.reduce((a, b) => a + b, 0) / x.length;
    return Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1));
  };
  const batchStd = std(Array.from(rewards));
  for (let g = 0; g < rewards.length / groupSize; g++) {
    const group = Array.from(rewards).slice(g * groupSize, (g + 1) * groupSize);
    const m = group.reduce((a, b) => a + b, 0) / groupSize;
    const scale =
      scaleRewards === 'none' ? 1 : (scaleRewards === 'group' ? std(group) : batchStd) + 1e-4;
    group.forEach((r, i) => {
      out[g * groupSize + i] = (r - m) / scale;
    });
  }
  return out;
}
