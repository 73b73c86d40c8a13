/** Initial parameter values, drawn from `@llmkit/numeric`'s seeded generator. */
import type { Random } from '@llmkit/numeric';
import type { ParameterSpec } from '../parameterSpecs.js';

/**
 * The initial values of one parameter. Each parameter draws from its own stream, forked from
 * the seed by the parameter's name, so a parameter's values do not depend on which other
 * parameters exist or in what order they are made.
 */
export function initialValues(spec: ParameterSpec, root: Random): Float32Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  if (spec.init.kind === 'ones') values.fill(1);
  if (spec.init.kind === 'normal') {
    const rng = root.fork(spec.name);
    const std = spec.init.std;
    for (let i = 0; i < size; i++) values[i] = rng.normal(0, std);
  }
  return values;
}
