/**
 * Lion, EvoLved Sign Momentum (Chen et al. 2023, "Symbolic Discovery of Optimization
 * Algorithms", arXiv:2302.06675, Algorithm 2), with decoupled weight decay as in the paper:
 *
 *   θ ← θ(1 − γλ);  c ← β₁m + (1−β₁)g;  θ ← θ − γ·sign(c);  m ← β₂m + (1−β₂)g
 *
 * sign(0) = 0. One state tensor per parameter (Adam keeps two). The paper advises a learning
 * rate 3–10× smaller than AdamW's and a weight decay 3–10× larger. PyTorch has no Lion; the
 * golden values come from this rule written in torch ops (`test/fixtures/optimizers.py`).
 */
import { checkBeta } from './internal/check.js';
import { tf } from './internal/engine.js';
import { OptimizerBase, type OptimizerOptions, type UpdateContext } from './optimizer.js';
import type { NamedVariables } from './tensor.js';

/** Options of {@link Lion}; defaults are the paper's. @public */
export interface LionOptions extends OptimizerOptions {
  /** Interpolation between momentum and gradient for the update's sign. @defaultValue 0.9 */
  readonly beta1?: number;
  /** Decay of the momentum. @defaultValue 0.99 */
  readonly beta2?: number;
}

/** Lion hyperparameters after defaults, as the reference takes them. @public */
export interface LionHyperparameters {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly weightDecay: number;
}

/** Lion over named parameters. @public */
export class Lion extends OptimizerBase {
  readonly kind: string = 'lion';
  protected readonly slotNames: readonly string[] = ['m'];
  private readonly beta1: number;
  private readonly beta2: number;

  constructor(parameters: NamedVariables, options: LionOptions) {
    super('Lion', parameters, options, 0);
    this.beta1 = checkBeta('Lion', 'options.beta1', options.beta1 ?? 0.9);
    this.beta2 = checkBeta('Lion', 'options.beta2', options.beta2 ?? 0.99);
  }

  protected update({ parameter, gradient, slots, learningRate, weightDecay }: UpdateContext): void {
    const m = slots.m!;
    const decayed =
      weightDecay === 0 ? parameter : tf.mul(parameter, 1 - learningRate * weightDecay);
    const direction = tf.sign(tf.add(tf.mul(m, this.beta1), tf.mul(gradient, 1 - this.beta1)));
    parameter.assign(tf.sub(decayed, tf.mul(direction, learningRate)));
    m.assign(tf.add(tf.mul(m, this.beta2), tf.mul(gradient, 1 - this.beta2)));
  }
}

/** One Lion update on typed arrays, in place. @public */
export function lionStepReference(
  parameter: Float32Array,
  gradient: Float32Array,
  m: Float32Array,
  hp: LionHyperparameters,
): void {
  const { learningRate: lr, beta1, beta2, weightDecay } = hp;
  for (let i = 0; i < parameter.length; i++) {
    const g = gradient[i]!;
    const c = beta1 * m[i]! + (1 - beta1) * g;
    parameter[i] = parameter[i]! * (1 - lr * weightDecay) - lr * Math.sign(c);
    m[i] = beta2 * m[i]! + (1 - beta2) * g;
  }
}
