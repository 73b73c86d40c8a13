/**
 * Contextual Bradley–Terry (Bradley–Terry with extra per-battle features), the model of Chatbot
 * Arena's style control (FastChat `fastchat/serve/monitor/rating_systems.py`,
 * `contextual_bt_loss_and_grad`). Parameters x = (θ₁…θ_M, γ₁…γ_S) in natural units; battle i
 * between models aᵢ, bᵢ with features zᵢ, outcome yᵢ ∈ {1, ½, 0} for aᵢ and weight wᵢ has logit
 * ηᵢ = θ_aᵢ − θ_bᵢ + zᵢ·γ, and the fit minimises
 *   Σ wᵢ [log(1 + e^ηᵢ) − yᵢηᵢ] + (l2/2)‖θ‖² + (styleL2/2)‖γ‖².
 * FastChat minimises the same objective by L-BFGS-B stopped at 100 iterations. Here: Newton's
 * method with a backtracking line search, which converges in ~10 passes over the battles; each
 * pass accumulates the gradient and the (M+S)² Hessian per battle — 2 + S nonzeros per row of
 * the design, so (2 + S)² updates — and yields to the event loop between chunks of battles. The
 * dense solve costs (M + S)³/3 per iteration (≈0.4 M multiply-adds for 100 models; ≈ 0.3 G for
 * 1,000, a few hundred ms), the one synchronous stretch not split into chunks.
 *
 * Without a ratings penalty the likelihood is invariant to a common shift of θ; the Newton
 * system then gets the rank-one term c·11ᵀ/M on the ratings block, which leaves the gradient
 * (orthogonal to 1) unchanged and keeps Σθ where it started (0).
 */
import { choleskySolve } from '@llmkit/numeric';
import { forEachRange } from './chunks.js';

/** Battles laid out for the fit. */
export interface ContextualData {
  readonly models: number;
  readonly features: number;
  /** Model index of side A and side B per battle. */
  readonly a: Int32Array;
  readonly b: Int32Array;
  /** Outcome for side A: 1 win, ½ tie, 0 loss. */
  readonly y: Float64Array;
  /** Features, battles × features, row-major. */
  readonly z: Float64Array;
  /** Features with a zero column: their coefficient stays 0. */
  readonly inactive: readonly number[];
}

export interface ContextualSettings {
  readonly fn: string;
  readonly l2: number;
  readonly styleL2: number;
  /** Converged when ‖∇‖∞ / Σw ≤ this. */
  readonly tolerance: number;
  readonly maxIterations: number;
  readonly chunkSize: number;
  readonly signal: AbortSignal | undefined;
  readonly onIteration?: (iteration: number, gradientNorm: number) => void;
}

export interface ContextualFit {
  /** θ (natural units), γ. */
  readonly theta: Float64Array;
  readonly gamma: Float64Array;
  /** Penalised objective / Σw. */
  readonly meanLoss: number;
  /** ‖∇‖∞ / Σw. */
  readonly gradientNorm: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/** Fits θ and γ; `weights` (per battle, default 1) carry bootstrap resamples. */
export async function fitContextual(
  data: ContextualData,
  settings: ContextualSettings,
  weights?: Float64Array,
  start?: Float64Array,
): Promise<ContextualFit> {
  const { models: m, features: s } = data;
  const p = m + s;
  const n = data.a.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += weights === undefined ? 1 : (weights[i] as number);
  let x: Float64Array = start === undefined ? new Float64Array(p) : Float64Array.from(start);
  let state = await evaluate(data, settings, weights, x);
  let iterations = 0;
  let violation = normInf(state.gradient) / total;
  let previous = Number.POSITIVE_INFINITY;
  let roundingStep = false;
  let converged = false;
  for (;;) {
    if (violation <= settings.tolerance) {
      converged = true;
      break;
    }
    // A full step taken within the objective's rounding that did not lower the gradient: the
    // arithmetic's floor.
    if (iterations >= settings.maxIterations || (roundingStep && violation >= previous)) break;
    iterations++;
    const direction = newtonDirection(state.hessian, state.gradient, m, p, settings.l2 === 0);
    let predicted = 0;
    for (let j = 0; j < p; j++)
      predicted += (state.gradient[j] as number) * (direction[j] as number);
    const roundingLevel = 16 * Number.EPSILON * Math.abs(state.loss);
    let step = 1;
    let accepted: { x: Float64Array; state: PassResult } | undefined;
    roundingStep = false;
    for (let tries = 0; tries < 60 && accepted === undefined; tries++, step /= 2) {
      const candidate = new Float64Array(p);
      for (let j = 0; j < p; j++) candidate[j] = (x[j] as number) + step * (direction[j] as number);
      const next = await evaluate(data, settings, weights, candidate);
      const sufficient =
        next.loss < state.loss && next.loss <= state.loss + 1e-4 * step * Math.min(predicted, 0);
      if (sufficient || (step === 1 && next.loss <= state.loss + roundingLevel)) {
        roundingStep = !sufficient;
        accepted = { x: candidate, state: next };
      }
    }
    if (accepted === undefined) break;
    x = accepted.x;
    state = accepted.state;
    previous = violation;
    violation = normInf(state.gradient) / total;
    settings.onIteration?.(iterations, violation);
  }
  const theta = x.slice(0, m);
  if (settings.l2 === 0) {
    // Only differences are identified; report the centred solution (the penalty centres itself).
    let mean = 0;
    for (let j = 0; j < m; j++) mean += theta[j] as number;
    mean /= m;
    for (let j = 0; j < m; j++) theta[j] = (theta[j] as number) - mean;
  }
  return {
    theta,
    gamma: x.slice(m),
    meanLoss: state.loss / total,
    gradientNorm: violation,
    iterations,
    converged,
  };
}

export interface PassResult {
  readonly loss: number;
  readonly gradient: Float64Array;
  /** Lower triangle, row-major (the upper triangle is not filled). */
  readonly hessian: Float64Array;
}

/** Objective, gradient and Hessian at x: one pass over the battles, in yielding chunks. */
export async function evaluate(
  data: ContextualData,
  settings: ContextualSettings,
  weights: Float64Array | undefined,
  x: Float64Array,
): Promise<PassResult> {
  const { models: m, features: s, a } = data;
  const p = m + s;
  const n = a.length;
  const gradient = new Float64Array(p);
  const hessian = new Float64Array(p * p);
  // Accumulated in compact blocks (model × feature, feature × feature) for locality, then
  // scattered into the lower triangle.
  const diagonal = new Float64Array(m);
  const cross = new Float64Array(m * s);
  const styleBlock = new Float64Array(s * s);
  const styleGradient = new Float64Array(s);
  const gamma = x.subarray(m);
  const sums: Sums = { gradient, hessian, diagonal, cross, styleBlock, styleGradient };
  let loss = 0;
  await forEachRange(settings.fn, n, settings.chunkSize, settings.signal, (begin, end) => {
    loss += accumulate(data, weights, x, gamma, sums, begin, end);
  });
  for (let j = 0; j < m; j++) hessian[j * p + j] = diagonal[j] as number;
  for (let k = 0; k < s; k++) {
    gradient[m + k] = styleGradient[k] as number;
    for (let j = 0; j < m; j++) hessian[(m + k) * p + j] = cross[j * s + k] as number;
    for (let l = 0; l <= k; l++) hessian[(m + k) * p + m + l] = styleBlock[k * s + l] as number;
  }
  for (let j = 0; j < p; j++) {
    const penalty = j < m ? settings.l2 : settings.styleL2;
    const xj = x[j] as number;
    loss += 0.5 * penalty * xj * xj;
    gradient[j] = (gradient[j] as number) + penalty * xj;
    hessian[j * p + j] = (hessian[j * p + j] as number) + penalty;
  }
  for (const k of data.inactive) hessian[(m + k) * p + m + k] = 1;
  return { loss, gradient, hessian };
}

interface Sums {
  readonly gradient: Float64Array;
  readonly hessian: Float64Array;
  readonly diagonal: Float64Array;
  readonly cross: Float64Array;
  readonly styleBlock: Float64Array;
  readonly styleGradient: Float64Array;
}

/** Adds battles [begin, end) to the sums; returns their loss. A plain function: its locals stay in registers. */
function accumulate(
  data: ContextualData,
  weights: Float64Array | undefined,
  x: Float64Array,
  gamma: Float64Array,
  sums: Sums,
  begin: number,
  end: number,
): number {
  const { models: m, features: s, a, b, y, z } = data;
  const p = m + s;
  const { gradient, hessian, diagonal, cross, styleBlock, styleGradient } = sums;
  let loss = 0;
  for (let i = begin; i < end; i++) {
    const w = weights === undefined ? 1 : (weights[i] as number);
    if (w === 0) continue;
    const ai = a[i] as number;
    const bi = b[i] as number;
    const row = i * s;
    let eta = (x[ai] as number) - (x[bi] as number);
    for (let k = 0; k < s; k++) eta += (z[row + k] as number) * (gamma[k] as number);
    // log(1 + e^η) and σ(η) from one exponential, stable for either sign of η.
    const e = Math.exp(-Math.abs(eta));
    const prob = eta >= 0 ? 1 / (1 + e) : e / (1 + e);
    const yi = y[i] as number;
    loss += w * (Math.max(eta, 0) + Math.log1p(e) - yi * eta);
    const r = w * (prob - yi);
    const h = w * prob * (1 - prob);
    gradient[ai] = (gradient[ai] as number) + r;
    gradient[bi] = (gradient[bi] as number) - r;
    diagonal[ai] = (diagonal[ai] as number) + h;
    diagonal[bi] = (diagonal[bi] as number) + h;
    const off = ai > bi ? ai * p + bi : bi * p + ai;
    hessian[off] = (hessian[off] as number) - h;
    const ca = ai * s;
    const cb = bi * s;
    for (let k = 0; k < s; k++) {
      const zk = z[row + k] as number;
      styleGradient[k] = (styleGradient[k] as number) + r * zk;
      const hz = h * zk;
      cross[ca + k] = (cross[ca + k] as number) + hz;
      cross[cb + k] = (cross[cb + k] as number) - hz;
      for (let l = 0; l <= k; l++) {
        styleBlock[k * s + l] = (styleBlock[k * s + l] as number) + hz * (z[row + l] as number);
      }
    }
  }
  return loss;
}

/** −H⁻¹g (lower triangle of H given), with the shift fix and Levenberg damping if needed. */
function newtonDirection(
  hessian: Float64Array,
  gradient: Float64Array,
  m: number,
  p: number,
  shiftInvariant: boolean,
): Float64Array {
  const system = hessian.slice();
  let largest = 0;
  for (let j = 0; j < p; j++) largest = Math.max(largest, system[j * p + j] as number);
  if (shiftInvariant) {
    let trace = 0;
    for (let j = 0; j < m; j++) trace += system[j * p + j] as number;
    const c = trace / m / m;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j <= i; j++) system[i * p + j] = (system[i * p + j] as number) + c;
    }
  }
  const rhs = gradient.map((g) => -g);
  let damping = 0;
  for (;;) {
    const damped = damping === 0 ? system : system.slice();
    if (damping > 0) {
      for (let j = 0; j < p; j++) damped[j * p + j] = (damped[j * p + j] as number) + damping;
    }
    const solution = choleskySolve(damped, rhs);
    if (solution?.every(Number.isFinite)) return solution;
    // Singular (a degenerate feature, or a model without identifying battles under a penalty).
    damping = damping === 0 ? Math.max(largest, 1) * 1e-12 : damping * 100;
  }
}

function normInf(v: Float64Array): number {
  let max = 0;
  for (let j = 0; j < v.length; j++) max = Math.max(max, Math.abs(v[j] as number));
  return max;
}
