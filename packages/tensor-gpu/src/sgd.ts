/**
 * Stochastic gradient descent with momentum, as `torch.optim.SGD` documents and computes it
 * (https://pytorch.org/docs/stable/generated/torch.optim.SGD.html, maximize off):
 *
 *   g ← g + λθ (L2 weight decay, coupled to the gradient as in torch);
 *   b ← g on the first update, else b ← μb + (1−τ)g;  g ← g + μb (Nesterov) or g ← b;
 *   θ ← θ − γg
 *
 * `sgdStepReference` is the same rule on typed arrays.
 */
import { TensorError } from './errors.js';
import { check, checkBeta } from './internal/check.js';
import { tf } from './internal/engine.js';
import { OptimizerBase, type OptimizerOptions, type UpdateContext } from './optimizer.js';
import type { NamedVariables, Tensor } from './tensor.js';

/** Options of {@link Sgd}; defaults are PyTorch's. @public */
export interface SgdOptions extends OptimizerOptions {
  /** Momentum μ (0 turns momentum off and keeps no state). @defaultValue 0 */
  readonly momentum?: number;
  /** Dampening τ of the gradient added to the momentum buffer. @defaultValue 0 */
  readonly dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). @defaultValue false */
  readonly nesterov?: boolean;
}

/** SGD hyperparameters after defaults, as the reference takes them. @public */
export interface SgdHyperparameters {
  readonly learningRate: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
}

/** SGD with optional (Nesterov) momentum over named parameters. @public */
export class Sgd extends OptimizerBase {
  readonly kind: string = 'sgd';
  protected readonly slotNames: readonly string[];
  private readonly momentum: number;
  private readonly dampening: number;
  private readonly nesterov: boolean;

  constructor(parameters: NamedVariables, options: SgdOptions) {
    super('Sgd', parameters, options, 0);
    this.momentum = checkBeta('Sgd', 'options.momentum', options.momentum ?? 0);
    this.dampening = check.probability('Sgd', 'options.dampening', options.dampening ?? 0);
    this.nesterov = options.nesterov ?? false;
    if (this.nesterov && (this.momentum === 0 || this.dampening !== 0)) {
      throw new TensorError({
        code: 'INVALID_ARGUMENT',
        fn: 'Sgd',
        argument: 'options.nesterov',
        detail: `Nesterov momentum requires momentum > 0 and dampening 0, received momentum ${this.momentum} and dampening ${this.dampening}.`,
      });
    }
    this.slotNames = this.momentum === 0 ? [] : ['momentum'];
  }

  protected update({
    parameter,
    gradient,
    slots,
    step,
    learningRate,
    weightDecay,
  }: UpdateContext): void {
    let g: Tensor = weightDecay === 0 ? gradient : tf.add(gradient, tf.mul(parameter, weightDecay));
    const buffer = slots.momentum;
    if (buffer !== undefined) {
      const next =
        step === 1 ? g : tf.add(tf.mul(buffer, this.momentum), tf.mul(g, 1 - this.dampening));
      buffer.assign(next);
      g = this.nesterov ? tf.add(g, tf.mul(next, this.momentum)) : next;
    }
    parameter.assign(tf.sub(parameter, tf.mul(g, learningRate)));
  }
}

/**
 * One SGD update on typed arrays, in place. `momentumBuffer` is ignored when momentum is 0;
 * `step` is the 1-based update count including this one.
 * @public
 */
export function sgdStepReference(
  parameter: Float32Array,
  gradient: Float32Array,
  momentumBuffer: Float32Array,
  step: number,
  hp: SgdHyperparameters,
): void {
  const { learningRate: lr, momentum, dampening, nesterov, weightDecay } = hp;
  for (let i = 0; i < parameter.length; i++) {
    let g = gradient[i]! + weightDecay * parameter[i]!;
    if (momentum !== 0) {
      momentumBuffer[i] = step === 1 ? g : momentum * momentumBuffer[i]! + (1 - dampening) * g;
      g = nesterov ? g + momentum * momentumBuffer[i]! : momentumBuffer[i]!;
    }
    parameter[i] = parameter[i]! - lr * g;
  }
}
