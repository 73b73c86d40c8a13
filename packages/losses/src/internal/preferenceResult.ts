/** The metrics every preference loss returns, computed one way for all of them. */
import { ops, type Tensor } from '@llmkit/tensor-gpu';
import type { PreferenceLossResult } from '../dpoLoss.js';

/** Loss plus TRL's metrics from per-pair rewards: margins and accuracy (ties count as wrong). */
export function preferenceResult(
  loss: Tensor,
  chosenRewards: Tensor,
  rejectedRewards: Tensor,
): PreferenceLossResult {
  return {
    loss,
    chosenRewards,
    rejectedRewards,
    margins: ops.sub(chosenRewards, rejectedRewards),
    accuracy: ops.mean(ops.cast(ops.greater(chosenRewards, rejectedRewards), 'float32')),
  };
}
