/** Token-id input: a batch as nested arrays, typed arrays or an int32 tensor, checked on the host. */
import { describeValue } from '@llmkit/numeric';
import { hostValues, isTensor, type Tensor } from '@llmkit/tensor-gpu';
import { TransformerError } from '../errors.js';

/** Token ids of a batch: rows of equal length, or an int32 tensor [B, T]. @public */
export type TokenBatch = Tensor | readonly (readonly number[] | Int32Array | Uint32Array)[];

/** A checked batch: ids row-major [B·T]. */
export interface CheckedTokens {
  readonly ids: Int32Array;
  readonly batch: number;
  readonly length: number;
}

/** Validates ids ∈ [0, vocabSize) and a rectangular [B, T] shape with T ≥ 1. */
export function checkTokens(
  fn: string,
  argument: string,
  tokens: TokenBatch,
  vocabSize: number,
): CheckedTokens {
  const checked = flatten(fn, argument, tokens);
  checkRange(fn, argument, checked, vocabSize, false);
  return checked;
}

/** Target ids [B, T] matching the inputs: each in [0, vocabSize) or −100 (skipped). */
export function checkTargets(
  fn: string,
  argument: string,
  targets: TokenBatch,
  vocabSize: number,
  batch: number,
  length: number,
): Int32Array {
  const checked = flatten(fn, argument, targets);
  if (checked.batch !== batch || checked.length !== length) {
    throw new TransformerError({
      code: 'SHAPE_MISMATCH',
      fn,
      argument,
      detail: `expected targets of shape [${batch}, ${length}] like the inputs, received [${checked.batch}, ${checked.length}].`,
    });
  }
  checkRange(fn, argument, checked, vocabSize, true);
  return checked.ids;
}

/** Targets equal to this are skipped by the loss (PyTorch's and Hugging Face's convention). */
export const IGNORE_INDEX = -100;

function flatten(fn: string, argument: string, tokens: TokenBatch): CheckedTokens {
  const fail = (
    detail: string,
    code: 'INVALID_ARGUMENT' | 'SHAPE_MISMATCH' = 'INVALID_ARGUMENT',
  ): never => {
    throw new TransformerError({ code, fn, argument, detail });
  };
  let ids: Int32Array;
  let batch: number;
  let length: number;
  if (isTensor(tokens)) {
    if (tokens.dtype !== 'int32')
      fail(`expected an int32 tensor of token ids, received dtype ${tokens.dtype}.`);
    if (tokens.rank !== 2)
      fail(`expected shape [batch, length], received [${tokens.shape}].`, 'SHAPE_MISMATCH');
    [batch, length] = tokens.shape as [number, number];
    const values = hostValues(tokens);
    if (values === undefined) {
      fail(
        `the int32 tensor [${tokens.shape}] was computed on the WebGPU device, where it cannot be read synchronously; build it from a host array (ops.tensor(ids, shape, 'int32')) or pass the ids as arrays.`,
      );
    }
    ids = values as Int32Array;
  } else {
    if (!Array.isArray(tokens)) {
      fail(
        `expected rows of token ids (number[][]) or an int32 tensor [batch, length], received ${describeValue(tokens)}.`,
      );
    }
    batch = tokens.length;
    length = tokens[0]?.length ?? 0;
    ids = new Int32Array(batch * length);
    for (let b = 0; b < batch; b++) {
      const row = tokens[b];
      if (!Array.isArray(row) && !(row instanceof Int32Array) && !(row instanceof Uint32Array)) {
        fail(`row ${b} is ${describeValue(row)}; expected an array of token ids.`);
      }
      if (row!.length !== length) {
        fail(
          `row ${b} has ${row!.length} tokens and row 0 has ${length}; rows must have equal length (pad them).`,
          'SHAPE_MISMATCH',
        );
      }
      for (let t = 0; t < length; t++) {
        const id = row![t]!;
        if (!Number.isSafeInteger(id))
          fail(`token [${b}][${t}] is ${describeValue(id)}; token ids are integers.`);
        ids[b * length + t] = id;
      }
    }
  }
  if (batch === 0 || length === 0) {
    fail(
      `expected at least one row of at least one token, received [${batch}, ${length}].`,
      'SHAPE_MISMATCH',
    );
  }
  return { ids, batch, length };
}

function checkRange(
  fn: string,
  argument: string,
  tokens: CheckedTokens,
  vocabSize: number,
  allowIgnore: boolean,
): void {
  const { ids, length } = tokens;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if ((id < 0 || id >= vocabSize) && !(allowIgnore && id === IGNORE_INDEX)) {
      const b = Math.floor(i / length);
      throw new TransformerError({
        code: 'INVALID_ARGUMENT',
        fn,
        argument,
        detail: `token [${b}][${i - b * length}] is ${id}, outside the vocabulary [0, ${vocabSize})${allowIgnore ? ' and not the ignore index −100' : ''}; check that the tokenizer matches the model's vocabSize.`,
      });
    }
  }
}

/** A padding mask of `size` zeros and ones (all ones when absent). */
export function checkPaddingMask(
  fn: string,
  mask: Uint8Array | undefined,
  size: number,
): Uint8Array {
  if (mask === undefined) return new Uint8Array(size).fill(1);
  if (!(mask instanceof Uint8Array) || mask.length !== size || mask.some((m) => m > 1)) {
    throw new TransformerError({
      code: 'SHAPE_MISMATCH',
      fn,
      argument: 'options.paddingMask',
      detail: `expected a Uint8Array of ${size} zeros and ones (one per token), received ${mask instanceof Uint8Array ? `length ${mask.length}` : typeof mask}.`,
    });
  }
  return mask;
}
