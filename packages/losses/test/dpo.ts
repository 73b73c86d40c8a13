/** Helpers shared by the DPO tests: tensors from arrays and the loss as a function of four inputs. */
import { ops, type Tensor } from '@llmkit/tensor-gpu';
import { type DpoLossOptions, dpoLoss } from '../src/dpoLoss.js';
import { f32 } from './helpers.js';

export function tensors(values: readonly (readonly number[])[]): Tensor[] {
  return values.map((v) => ops.tensor1d(v.map(f32)));
}

/** The DPO loss as a function of (π_c, π_r, ref_c, ref_r). */
export function dpoObjective(options: DpoLossOptions) {
  return (pc: Tensor, pr: Tensor, rc: Tensor, rr: Tensor): Tensor =>
    dpoLoss(
      {
        policyChosenLogps: pc,
        policyRejectedLogps: pr,
        referenceChosenLogps: rc,
        referenceRejectedLogps: rr,
      },
      options,
    ).loss;
}
