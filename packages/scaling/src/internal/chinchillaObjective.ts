/**
 * The objective of the Chinchilla fit in Hoffmann et al.'s parametrisation (2022, §3.3 and
 * appendix D.2): θ = (a, b, e, α, β) with A = eᵃ, B = eᵇ, E = eᵉ, and the log-loss predicted as
 * LSE(a − α·log N, b − β·log D, e) = log(E + A/N^α + B/D^β). The loss is the Huber loss of the
 * log residuals, Σ huber_δ(pred − log L), divided by δ here so that its size (≈ Σ|r| once
 * residuals exceed δ) and the optimiser's tolerances do not depend on δ.
 */
import { huber, huberGradient, logSumExp, type ValueAndGradientFunction } from '@llmkit/numeric';

/** Points in log space. */
export interface LogPoints {
  readonly logN: Float64Array;
  readonly logD: Float64Array;
  readonly logL: Float64Array;
}

/** The points of a resample, by index. */
export function selectPoints(data: LogPoints, indices: readonly number[]): LogPoints {
  const pick = (values: Float64Array): Float64Array =>
    Float64Array.from(indices, (i) => values[i] as number);
  return { logN: pick(data.logN), logD: pick(data.logD), logL: pick(data.logL) };
}

/** Predicted minus observed log-loss at θ = (a, b, e, α, β). */
export function logResiduals(data: LogPoints, theta: ArrayLike<number>): Float64Array {
  const [a, b, e, alpha, beta] = theta as unknown as [number, number, number, number, number];
  const terms = new Float64Array(3);
  return Float64Array.from(data.logL, (logL, i) => {
    terms[0] = a - alpha * (data.logN[i] as number);
    terms[1] = b - beta * (data.logD[i] as number);
    terms[2] = e;
    return logSumExp(terms) - logL;
  });
}

/** Σ huber_δ(rᵢ) / δ over θ = (a, b, e, α, β), with its analytic gradient. */
export function huberObjective(data: LogPoints, delta: number): ValueAndGradientFunction {
  const { logN, logD, logL } = data;
  const n = logL.length;
  // Local references: module loaders that rewrite imports into property reads (test runners,
  // TS loaders) would otherwise add a lookup to every call in this hot loop.
  const huberLoss = huber;
  const huberSlope = huberGradient;
  return (theta, gradient) => {
    const [a, b, e, alpha, beta] = theta as unknown as [number, number, number, number, number];
    let value = 0;
    let ga = 0;
    let gb = 0;
    let ge = 0;
    let gAlpha = 0;
    let gBeta = 0;
    for (let i = 0; i < n; i++) {
      const lnN = logN[i] as number;
      const lnD = logD[i] as number;
      const u = a - alpha * lnN;
      const v = b - beta * lnD;
      // log(eᵘ + eᵛ + eᵉ) by the max-shift of logSumExp, keeping the three exponentials for
      // the gradient: d pred / d(u, v, e) is their softmax.
      const m = Math.max(u, v, e);
      const xu = Math.exp(u - m);
      const xv = Math.exp(v - m);
      const xe = Math.exp(e - m);
      const sum = xu + xv + xe;
      const r = m + Math.log(sum) - (logL[i] as number);
      value += huberLoss(r, delta);
      const slope = huberSlope(r, delta) / sum;
      const wu = slope * xu;
      const wv = slope * xv;
      ga += wu;
      gb += wv;
      ge += slope * xe;
      gAlpha -= wu * lnN;
      gBeta -= wv * lnD;
    }
    gradient[0] = ga / delta;
    gradient[1] = gb / delta;
    gradient[2] = ge / delta;
    gradient[3] = gAlpha / delta;
    gradient[4] = gBeta / delta;
    return value / delta;
  };
}
