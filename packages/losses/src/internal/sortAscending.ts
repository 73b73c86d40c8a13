/**
 * A differentiable ascending sort of a vector (`torch.sort(x, dim=0)`'s values), for the AOT
 * losses. Values come from `topk` of −x; the gradient routes each upstream entry back to the
 * position its value came from (a permutation, summed with `unsortedSegmentSum`). Among equal
 * values the order, and so which tied position receives which gradient, is the engine's.
 */
import { ops, type Tensor } from '@llmkit/tensor-gpu';

export function sortAscending(x: Tensor): Tensor {
  const n = x.shape[0]!;
  const sort = ops.customGrad((input: unknown, save: unknown) => {
    const { values, indices } = ops.topk(ops.neg(input as Tensor), n);
    (save as (tensors: Tensor[]) => void)([indices]);
    return {
      value: ops.neg(values),
      gradFunc: (dy: Tensor, saved: Tensor[]) =>
        ops.unsortedSegmentSum(dy, saved[0] as Parameters<typeof ops.unsortedSegmentSum>[1], n),
    };
  });
  return sort(x);
}
