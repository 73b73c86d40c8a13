/**
 * Dynamic loss scaling for float16 training (Micikevicius et al. 2018, "Mixed Precision
 * Training", arXiv:1710.03740): multiply the loss by a scale so small gradients do not flush to
 * zero in float16, divide the gradients by it before the update, and skip updates whose
 * gradients overflowed. The scale policy is `torch.cuda.amp.GradScaler`'s
 * (https://pytorch.org/docs/stable/amp.html#gradient-scaling; `_amp_update_scale_`): on an
 * overflow multiply by `backoffFactor` and restart the count; after `growthInterval` clean
 * steps in a row multiply by `growthFactor`.
 *
 * The engine computes in float32, where loss scaling is unnecessary; the scaler is here for
 * float16 kernels (WebGPU `shader-f16`) and for trainers that must behave the same on both.
 *
 * Whether to skip an update is a decision on the host, so {@link DynamicLossScaler.unscale} waits
 * for the device and reads one flag (as GradScaler's `step` does with `found_inf`); it is
 * asynchronous because WebGPU has no synchronous read in Node.
 */

import { TensorError } from './errors.js';
import { check } from './internal/check.js';
import { tf } from './internal/engine.js';
import { dispose } from './memory.js';
import type { NamedTensors, Tensor } from './tensor.js';

/** Options of {@link DynamicLossScaler}; defaults are GradScaler's. @public */
export interface DynamicLossScalerOptions {
  /** Starting scale. @defaultValue 65536 (2¹⁶) */
  readonly initialScale?: number;
  /** Scale multiplier after `growthInterval` finite steps. @defaultValue 2 */
  readonly growthFactor?: number;
  /** Scale multiplier after an overflow. @defaultValue 0.5 */
  readonly backoffFactor?: number;
  /** Consecutive finite steps before growing. @defaultValue 2000 */
  readonly growthInterval?: number;
}

/** The scaler's state, to save with a checkpoint. @public */
export interface LossScalerState {
  readonly scale: number;
  readonly growthTracker: number;
}

/** What {@link DynamicLossScaler.unscale} returns. @public */
export interface UnscaledGradients<G extends NamedTensors> {
  /** Gradients divided by the scale (new tensors). */
  readonly gradients: G;
  /** False when any gradient holds NaN or ±Infinity: skip this update. */
  readonly finite: boolean;
}

/**
 * @example
 * ```ts
 * const scaler = new DynamicLossScaler();
 * const { value, grads } = parameterGrads(() => scaler.scaleLoss(loss()), params);
 * const { gradients, finite } = await scaler.unscale(grads);
 * if (finite) optimizer.step(gradients);
 * scaler.update(finite);
 * dispose([value, grads, gradients]);
 * ```
 * @public
 */
export class DynamicLossScaler {
  private current: number;
  private tracker = 0;
  private readonly growthFactor: number;
  private readonly backoffFactor: number;
  private readonly growthInterval: number;

  constructor(options: DynamicLossScalerOptions = {}) {
    const fn = 'DynamicLossScaler';
    this.current = check.positive(fn, 'options.initialScale', options.initialScale ?? 2 ** 16);
    this.growthFactor = check.positive(fn, 'options.growthFactor', options.growthFactor ?? 2);
    this.backoffFactor = check.positive(fn, 'options.backoffFactor', options.backoffFactor ?? 0.5);
    this.growthInterval = check.integer(
      fn,
      'options.growthInterval',
      options.growthInterval ?? 2000,
      {
        min: 1,
      },
    );
    if (this.growthFactor <= 1 || this.backoffFactor >= 1) {
      throw new TensorError({
        code: 'INVALID_ARGUMENT',
        fn,
        argument: 'options',
        detail: `expected growthFactor > 1 and backoffFactor < 1, received ${this.growthFactor} and ${this.backoffFactor}.`,
      });
    }
  }

  /** The current scale. */
  get scale(): number {
    return this.current;
  }

  /** loss × scale. */
  scaleLoss<T extends Tensor>(loss: T): T {
    return tf.mul(loss, this.current) as T;
  }

  /**
   * Divides gradients by the scale and reports whether all of them are finite, reading that one
   * flag from the device. The caller owns (disposes) the returned gradients, finite or not.
   */
  async unscale<G extends NamedTensors>(gradients: G): Promise<UnscaledGradients<G>> {
    const entries = Object.entries(gradients);
    const allFinite = tf.tidy(() =>
      entries.length === 0
        ? tf.scalar(true, 'bool')
        : tf.all(tf.stack(entries.map(([, g]) => tf.all(tf.isFinite(g))))),
    );
    const inverse = 1 / this.current;
    const out: Record<string, Tensor> = {};
    for (const [name, g] of entries) out[name] = tf.mul(g, inverse);
    let finite: boolean;
    try {
      finite = (await allFinite.data())[0] === 1;
    } catch (error) {
      dispose(out);
      throw error;
    } finally {
      allFinite.dispose();
    }
    return { gradients: out as G, finite };
  }

  /** Advances the policy after a step: `finite` as reported by {@link DynamicLossScaler.unscale}. */
  update(finite: boolean): void {
    if (!finite) {
      this.current *= this.backoffFactor;
      this.tracker = 0;
      return;
    }
    this.tracker++;
    if (this.tracker === this.growthInterval) {
      this.current *= this.growthFactor;
      this.tracker = 0;
    }
  }

  /** The scale and growth count, for checkpoints. */
  state(): LossScalerState {
    return { scale: this.current, growthTracker: this.tracker };
  }

  /** Restores {@link DynamicLossScaler.state}. */
  loadState(state: LossScalerState): void {
    const fn = 'DynamicLossScaler.loadState';
    const scale = check.positive(fn, 'state.scale', state.scale);
    const tracker = check.integer(fn, 'state.growthTracker', state.growthTracker, {
      min: 0,
      max: this.growthInterval - 1,
    });
    this.current = scale;
    this.tracker = tracker;
  }
}
