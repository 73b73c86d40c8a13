/**
 * The objective of a one-variable power law L(x) = E + A·x^−α, fitted like the Chinchilla law:
 * θ = (a, α, e) with A = eᵃ, E = eᵉ, log L predicted as LSE(a − α·log x, e), Huber loss on the
 * log residuals (divided by δ). Without an offset θ = (a, α) and log L = a − α·log x.
 */
import { huber, huberGradient, type ValueAndGradientFunction } from '@llmkit/numeric';

/** Points of a one-variable fit in log space. */
export interface LogXY {
  readonly logX: Float64Array;
  readonly logL: Float64Array;
}

/** Predicted minus observed log-loss. */
export function powerLawResiduals(data: LogXY, theta: ArrayLike<number>): Float64Array {
  const a = theta[0] as number;
  const alpha = theta[1] as number;
  const e = theta.length > 2 ? (theta[2] as number) : undefined;
  return Float64Array.from(data.logL, (logL, i) => {
    const u = a - alpha * (data.logX[i] as number);
    if (e === undefined) return u - logL;
    const m = Math.max(u, e);
    return m + Math.log(Math.exp(u - m) + Math.exp(e - m)) - logL;
  });
}

/** Σ huber_δ(rᵢ)/δ with its gradient, for θ = (a, α, e) or, without offset, (a, α). */
export function powerLawObjective(
  data: LogXY,
  delta: number,
  offset: boolean,
): ValueAndGradientFunction {
  const { logX, logL } = data;
  const n = logL.length;
  // Local references: module loaders that rewrite imports into property reads (test runners,
  // TS loaders) would otherwise add a lookup to every call in this hot loop.
  const huberLoss = huber;
  const huberSlope = huberGradient;
  return (theta, gradient) => {
    const a = theta[0] as number;
    const alpha = theta[1] as number;
    const e = offset ? (theta[2] as number) : 0;
    let value = 0;
    let ga = 0;
    let gAlpha = 0;
    let ge = 0;
    for (let i = 0; i < n; i++) {
      const lx = logX[i] as number;
      const u = a - alpha * lx;
      let predicted = u;
      let wu = 1;
      let we = 0;
      if (offset) {
        const m = Math.max(u, e);
        const xu = Math.exp(u - m);
        const xe = Math.exp(e - m);
        predicted = m + Math.log(xu + xe);
        wu = xu / (xu + xe);
        we = xe / (xu + xe);
      }
      const r = predicted - (logL[i] as number);
      value += huberLoss(r, delta);
      const slope = huberSlope(r, delta);
      ga += slope * wu;
      gAlpha -= slope * wu * lx;
      ge += slope * we;
    }
    gradient[0] = ga / delta;
    gradient[1] = gAlpha / delta;
    if (offset) gradient[2] = ge / delta;
    return value / delta;
  };
}
