/**
 * Reading and checking the integer targets of a logits loss on the host: each target is either
 * the ignore index or a class in [0, V). Ignored positions get weight 0 and a stand-in class 0, so
 * the tensor code never branches and never indexes out of range.
 */
import type { Tensor } from '@llmkit/tensor-gpu';
import { LossError } from '../errors.js';
import { shapeOf, tensorArg } from './check.js';

/** Targets checked against the vocabulary, with the weights of the positions that count. */
export interface PreparedTargets {
  /** The class of each position, 0 where ignored. */
  readonly classes: Int32Array;
  /** 1 where a position counts, 0 where ignored. */
  readonly weights: Float32Array;
  /** How many positions count. */
  readonly count: number;
}

/** `[1, 4]` for flat index 9 of shape [2, 5]. */
export function positionOf(flatIndex: number, shape: readonly number[]): string {
  const index: number[] = [];
  let rest = flatIndex;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const size = shape[axis]!;
    index.unshift(rest % size);
    rest = Math.floor(rest / size);
  }
  return `[${index.join(', ')}]`;
}

/** Logits of rank 2 ([N, V]) or 3 ([B, T, V]), float32, with at least one row and class. */
export function logitsArg(fn: string, logits: unknown): Tensor {
  const t = tensorArg(fn, 'logits', logits, ['float32'], [2, 3]);
  if (t.size === 0) {
    throw new LossError({
      code: 'EMPTY_INPUT',
      fn,
      argument: 'logits',
      detail: `expected at least one position and one class, received shape ${shapeOf(t.shape)}.`,
    });
  }
  return t;
}

/**
 * Checks `values` (the targets' data, shaped `shape`) against a vocabulary of `vocabSize`;
 * positions equal to `ignoreIndex` are skipped. `counted` (optional) marks the positions that
 * matter at all; the rest are ignored whatever they hold.
 */
export function prepareTargets(
  fn: string,
  argument: string,
  values: ArrayLike<number>,
  shape: readonly number[],
  vocabSize: number,
  ignoreIndex: number | undefined,
  counted?: ArrayLike<number>,
): PreparedTargets {
  const classes = new Int32Array(values.length);
  const weights = new Float32Array(values.length);
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const target = values[i]!;
    if ((counted !== undefined && counted[i] === 0) || target === ignoreIndex) continue;
    if (target < 0 || target >= vocabSize) {
      const skip =
        ignoreIndex === undefined
          ? 'mask the position out instead'
          : `set it to ignoreIndex (${ignoreIndex}) to skip the position`;
      throw new LossError({
        code: 'INVALID_ARGUMENT',
        fn,
        argument,
        detail:
          `the target ${target} at ${positionOf(i, shape)} of ${argument} ${shapeOf(shape)} is ` +
          `outside [0, ${vocabSize}), the vocabulary of logits; ${skip}.`,
      });
    }
    classes[i] = target;
    weights[i] = 1;
    count++;
  }
  return { classes, weights, count };
}
