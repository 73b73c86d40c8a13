/**
 * Gradient accumulation over micro-batches: a batch too large for memory is split, each part's
 * gradients are added here, and the optimizer steps once on their weighted mean. Weighting each
 * micro-batch by its token count makes the result the gradient of the token-mean loss over the
 * whole batch when each micro-batch loss is a token mean (unequal micro-batches included).
 */
import { TensorError } from './errors.js';
import { check } from './internal/check.js';
import { tf } from './internal/engine.js';
import type { NamedTensors, Tensor } from './tensor.js';

/**
 * Sums weighted gradients across micro-batches; {@link GradientAccumulator.mean} gives
 * Σ wᵢgᵢ / Σ wᵢ. The running sums are kept on the device; inputs are not disposed.
 * @example
 * ```ts
 * const acc = new GradientAccumulator();
 * for (const micro of microBatches) acc.add(gradsOf(micro), micro.tokens);
 * optimizer.step(acc.mean()); // then acc.reset()
 * ```
 * @public
 */
export class GradientAccumulator {
  private sums = new Map<string, Tensor>();
  private weight = 0;
  private parts = 0;

  /** Micro-batches added since the last reset. */
  get count(): number {
    return this.parts;
  }

  /** Sum of the weights added since the last reset. */
  get totalWeight(): number {
    return this.weight;
  }

  /**
   * Adds one micro-batch's gradients with a weight (e.g. its token count). Every call must
   * bring the same parameter names and shapes.
   */
  add(gradients: NamedTensors, weight = 1): void {
    const fn = 'GradientAccumulator.add';
    check.positive(fn, 'weight', weight);
    const entries = Object.entries(gradients);
    if (this.parts > 0) {
      const expected = [...this.sums.keys()].sort().join(', ');
      const received = entries
        .map(([name]) => name)
        .sort()
        .join(', ');
      if (expected !== received) {
        throw new TensorError({
          code: 'INVALID_ARGUMENT',
          fn,
          argument: 'gradients',
          detail: `expected gradients for [${expected}], received [${received}]. Add the same parameters for every micro-batch.`,
        });
      }
    }
    for (const [name, g] of entries) {
      const sum = this.sums.get(name);
      if (sum !== undefined && !tf.util.arraysEqual(sum.shape, g.shape)) {
        throw new TensorError({
          code: 'SHAPE_MISMATCH',
          fn,
          argument: `gradients.${name}`,
          detail: `shape [${g.shape}] differs from the accumulated [${sum.shape}].`,
        });
      }
    }
    for (const [name, g] of entries) {
      const sum = this.sums.get(name);
      const next = tf.tidy(() => {
        const scaled = weight === 1 ? tf.clone(g) : tf.mul(g, weight);
        return sum === undefined ? scaled : tf.add(sum, scaled);
      });
      sum?.dispose();
      this.sums.set(name, next);
    }
    this.weight += weight;
    this.parts++;
  }

  /** Σ wᵢgᵢ / Σ wᵢ per parameter, as new tensors the caller owns. */
  mean(): NamedTensors {
    return this.scaled('GradientAccumulator.mean', 1 / this.weight);
  }

  /** Σ wᵢgᵢ per parameter, as new tensors the caller owns. */
  sum(): NamedTensors {
    return this.scaled('GradientAccumulator.sum', 1);
  }

  private scaled(fn: string, factor: number): NamedTensors {
    if (this.parts === 0) {
      throw new TensorError({
        code: 'EMPTY_INPUT',
        fn,
        detail: 'no gradients have been added since the last reset.',
      });
    }
    const out: NamedTensors = {};
    for (const [name, sum] of this.sums) out[name] = tf.mul(sum, factor);
    return out;
  }

  /** Frees the sums and starts over. */
  reset(): void {
    for (const sum of this.sums.values()) sum.dispose();
    this.sums.clear();
    this.weight = 0;
    this.parts = 0;
  }
}
