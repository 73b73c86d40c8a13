/**
 * Gradients of a scalar loss with respect to named parameters, keyed by the same names the
 * optimizers use (the engine's own `variableGrads` keys them by internal variable names).
 */
import { TensorError } from './errors.js';
import { tf } from './internal/engine.js';
import type { NamedTensors, NamedVariables, Scalar } from './tensor.js';

/** What {@link parameterGrads} returns. @public */
export interface ParameterGrads {
  /** The loss. */
  readonly value: Scalar;
  /** d loss / d parameter, by parameter name. */
  readonly grads: NamedTensors;
}

/**
 * Runs `loss` and differentiates it with respect to `parameters` (by name). Parameters the loss
 * does not use get a gradient of zeros, so every name is present for the optimizer.
 * @example
 * ```ts
 * const { value, grads } = parameterGrads(() => model.loss(batch), model.parameters());
 * optimizer.step(grads);
 * ```
 * @public
 */
export function parameterGrads(loss: () => Scalar, parameters: NamedVariables): ParameterGrads {
  const entries = Object.entries(parameters);
  if (entries.length === 0) {
    throw new TensorError({
      code: 'EMPTY_INPUT',
      fn: 'parameterGrads',
      argument: 'parameters',
      detail: 'expected at least one parameter.',
    });
  }
  const checked = (): Scalar => {
    const value = loss();
    if (!(value instanceof tf.Tensor) || value.rank !== 0) {
      throw new TensorError({
        code: 'SHAPE_MISMATCH',
        fn: 'parameterGrads',
        argument: 'loss',
        detail: `the loss must return a scalar tensor, received ${value instanceof tf.Tensor ? `shape [${(value as { shape: number[] }).shape}]` : typeof value}. Reduce it with ops.mean or ops.sum.`,
      });
    }
    return value;
  };
  const { value, grads } = tf.variableGrads(
    checked,
    entries.map(([, v]) => v),
  );
  const named: NamedTensors = {};
  for (const [name, variable] of entries)
    named[name] = grads[variable.name] ?? tf.zerosLike(variable);
  return { value, grads: named };
}
