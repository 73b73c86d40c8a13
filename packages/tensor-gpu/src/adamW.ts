/**
 * AdamW (Loshchilov & Hutter 2019, arXiv:1711.05101): Adam with weight decay decoupled from the
 * gradient, exactly as `torch.optim.AdamW` (amsgrad and maximize off) documents and computes it:
 *
 *   θ ← θ − γλθ;  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;
 *   θ ← θ − (γ / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)
 *
 * (https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html; the ε placement is that of
 * torch's `_single_tensor_adamw`). `adamWStepReference` is the same rule on typed arrays.
 */
import { check, checkBeta } from './internal/check.js';
import { tf } from './internal/engine.js';
import { fusedAdamWUpdate } from './kernels/adamW.js';
import { OptimizerBase, type OptimizerOptions, type UpdateContext } from './optimizer.js';
import type { NamedVariables } from './tensor.js';

/** Options of {@link AdamW}; defaults are PyTorch's. @public */
export interface AdamWOptions extends OptimizerOptions {
  /** Decay of the first moment. @defaultValue 0.9 */
  readonly beta1?: number;
  /** Decay of the second moment (0.95 is common for LLM pretraining). @defaultValue 0.999 */
  readonly beta2?: number;
  /** Added to the denominator for stability. @defaultValue 1e-8 */
  readonly epsilon?: number;
}

/** AdamW hyperparameters after defaults, as the reference takes them. @public */
export interface AdamWHyperparameters {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
}

/**
 * AdamW over named parameters.
 * @example
 * ```ts
 * const optimizer = new AdamW(model.parameters(), { learningRate: warmupCosineSchedule({ … }), weightDecay: 0.1, beta2: 0.95 });
 * const { grads } = ops.variableGrads(lossFn);
 * optimizer.step(grads);
 * ```
 * @public
 */
export class AdamW extends OptimizerBase {
  readonly kind: string = 'adamw';
  protected readonly slotNames: readonly string[] = ['m', 'v'];
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;

  constructor(parameters: NamedVariables, options: AdamWOptions) {
    super('AdamW', parameters, options, 0.01);
    this.beta1 = checkBeta('AdamW', 'options.beta1', options.beta1 ?? 0.9);
    this.beta2 = checkBeta('AdamW', 'options.beta2', options.beta2 ?? 0.999);
    this.epsilon = check.nonNegative('AdamW', 'options.epsilon', options.epsilon ?? 1e-8);
  }

  protected update({
    parameter,
    gradient,
    slots,
    step,
    learningRate,
    weightDecay,
  }: UpdateContext): void {
    const { m, v } = slots as { m: typeof parameter; v: typeof parameter };
    const { beta1, beta2, epsilon } = this;
    const hp = { learningRate, beta1, beta2, epsilon, weightDecay, step };
    if (fusedAdamWUpdate(parameter, gradient, m, v, hp)) return;
    const decayed =
      weightDecay === 0 ? parameter : tf.mul(parameter, 1 - learningRate * weightDecay);
    const mNext = tf.add(tf.mul(m, beta1), tf.mul(gradient, 1 - beta1));
    const vNext = tf.add(tf.mul(v, beta2), tf.mul(tf.square(gradient), 1 - beta2));
    const stepSize = learningRate / (1 - beta1 ** step);
    const denominator = tf.add(tf.div(tf.sqrt(vNext), Math.sqrt(1 - beta2 ** step)), epsilon);
    parameter.assign(tf.sub(decayed, tf.mul(tf.div(mNext, denominator), stepSize)));
    m.assign(mNext);
    v.assign(vNext);
  }
}

/**
 * One AdamW update on typed arrays, in place: the reference the tensor implementation (and any
 * fused kernel) is tested against. `step` is the 1-based update count including this one.
 * @public
 */
export function adamWStepReference(
  parameter: Float32Array,
  gradient: Float32Array,
  m: Float32Array,
  v: Float32Array,
  step: number,
  hp: AdamWHyperparameters,
): void {
  const { learningRate: lr, beta1, beta2, epsilon, weightDecay } = hp;
  const stepSize = lr / (1 - beta1 ** step);
  const correction2 = Math.sqrt(1 - beta2 ** step);
  for (let i = 0; i < parameter.length; i++) {
    const g = gradient[i]!;
    const decayed = parameter[i]! * (1 - lr * weightDecay);
    m[i] = beta1 * m[i]! + (1 - beta1) * g;
    v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
    parameter[i] = decayed - (stepSize * m[i]!) / (Math.sqrt(v[i]!) / correction2 + epsilon);
  }
}
