/**
 * L1-penalised logistic regression with the penalty chosen by grouped K-fold cross-validation,
 * as AlpacaEval's `fit_LogisticRegressionCV` runs scikit-learn's LogisticRegressionCV
 * (`alpaca_eval/metrics/glm_winrate.py`): Cs = logspace(−4, 4, 10) (scikit-learn's default),
 * GroupKFold folds (every row is its own group, so row g of n goes to fold (n − 1 − g) mod K —
 * GroupKFold's greedy assignment of equal-size groups in reverse stable order), score = minus the
 * weighted log loss with fractional targets averaged over the fold's rows (their
 * `logloss_continuous`, predictions clipped to [1e-15, 1 − 1e-15]), the C of the best summed
 * score (first on ties), then a refit on all rows. liblinear minimises ‖β‖₁ + C Σ wᵢ ℓᵢ, i.e.
 * numeric's `fitLogisticRegression` with l1 = 1/C; liblinear stops at tol = 1e-4 while this
 * solves each fit to convergence.
 */
import { fitLogisticRegression, sigmoid } from '@llmkit/numeric';

export interface CrossValidatedFit {
  readonly coefficients: Float64Array;
  readonly c: number;
  /** Summed fold scores per C (higher is better). */
  readonly scores: Float64Array;
}

/** scikit-learn's default grid, numpy.logspace(-4, 4, 10). */
export const DEFAULT_CS: readonly number[] = Array.from(
  { length: 10 },
  (_, i) => 10 ** (-4 + (8 * i) / 9),
);

const EPS = 1e-15;

export function crossValidatedL1(
  features: readonly Float64Array[],
  targets: Float64Array,
  weights: Float64Array | undefined,
  folds: number,
  cs: readonly number[],
): CrossValidatedFit {
  const n = features.length;
  const fold = Int32Array.from({ length: n }, (_, g) => (n - 1 - g) % folds);
  const scores = new Float64Array(cs.length);
  for (let f = 0; f < folds; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? test : train).push(i);
    for (let c = 0; c < cs.length; c++) {
      const fit = fitLogisticRegression(
        train.map((i) => features[i] as Float64Array),
        Float64Array.from(train, (i) => targets[i] as number),
        {
          fitIntercept: false,
          l1: 1 / (cs[c] as number),
          ...(weights === undefined
            ? {}
            : { sampleWeights: Float64Array.from(train, (i) => weights[i] as number) }),
        },
      );
      let loss = 0;
      for (const i of test) {
        const x = features[i] as Float64Array;
        let eta = 0;
        for (let j = 0; j < x.length; j++)
          eta += (x[j] as number) * (fit.coefficients[j] as number);
        const q = Math.min(Math.max(sigmoid(eta), EPS), 1 - EPS);
        const p = targets[i] as number;
        const w = weights === undefined ? 1 : (weights[i] as number);
        loss += w * (p * Math.log(q) + (1 - p) * Math.log(1 - q));
      }
      scores[c] = (scores[c] as number) + loss / test.length;
    }
  }
  let best = 0;
  for (let c = 1; c < cs.length; c++)
    if ((scores[c] as number) > (scores[best] as number)) best = c;
  const c = cs[best] as number;
  const refit = fitLogisticRegression(features, targets, {
    fitIntercept: false,
    l1: 1 / c,
    ...(weights === undefined ? {} : { sampleWeights: weights }),
  });
  return { coefficients: refit.coefficients, c, scores };
}
