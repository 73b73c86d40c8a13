/** The KL estimators k1, k2, k3 as tensor functions of log r = log π_ref − log π. */
import { ops, type Tensor } from '@llmkit/tensor-gpu';
import type { KlEstimator } from '../perTokenKl.js';

export function klFromLogRatio(logRatio: Tensor, estimator: KlEstimator): Tensor {
  switch (estimator) {
    case 'k1':
      return ops.neg(logRatio);
    case 'k2':
      return ops.mul(ops.square(logRatio), 0.5);
    case 'k3':
      return ops.sub(ops.expm1(logRatio), logRatio);
  }
}
