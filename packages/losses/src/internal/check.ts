/**
 * Boundary checks of the package: number options through `@llmkit/numeric`'s validators, and
 * tensors by dtype, rank and shape, with messages that name the argument and its shape. Checks
 * that need values (target ranges, masks) read small integer tensors to the host, which the cpu
 * and wasm backends do without copying through a device; on WebGPU, where results computed on
 * the device cannot be read synchronously, value checks of computed tensors are skipped and
 * integer inputs must come from host arrays.
 */
import { type ArgumentChecks, argumentChecks, describeValue } from '@llmkit/numeric';
import {
  type DType,
  type HostValues,
  hostValues,
  isTensor,
  ops,
  type Tensor,
} from '@llmkit/tensor-gpu';
import { LossError } from '../errors.js';

export const check: ArgumentChecks = argumentChecks((init) => new LossError(init));

/** `[2, 3, 11]`. */
export function shapeOf(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function describe(t: Tensor): string {
  return `${t.dtype === 'int32' ? 'an' : 'a'} ${t.dtype} tensor of shape ${shapeOf(t.shape)}`;
}

const DTYPE_HINT: Readonly<Record<DType, string>> = {
  float32: "cast it with ops.cast(x, 'float32')",
  int32: "cast it with ops.cast(x, 'int32') after making sure every value is a whole number",
  bool: "pass a bool tensor (ops.cast(mask, 'bool')) or int32 zeros and ones",
};

/** A tensor of one of `dtypes` whose rank is one of `ranks` (any rank for `'any'`). */
export function tensorArg(
  fn: string,
  argument: string,
  value: unknown,
  dtypes: readonly DType[],
  ranks: readonly number[] | 'any',
): Tensor {
  if (!isTensor(value)) {
    throw new LossError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument,
      detail: `expected a Tensor, received ${describeValue(value)}. Create one with ops.tensor(...).`,
    });
  }
  if (!dtypes.includes(value.dtype as DType)) {
    throw new LossError({
      code: 'DTYPE_MISMATCH',
      fn,
      argument,
      detail: `expected a ${dtypes.join(' or ')} tensor, received ${describe(value)}; ${DTYPE_HINT[dtypes[0]!]}.`,
    });
  }
  if (ranks !== 'any' && !ranks.includes(value.rank)) {
    const expected = ranks.map((r) => `rank ${r}`).join(' or ');
    throw new LossError({
      code: 'SHAPE_MISMATCH',
      fn,
      argument,
      detail: `expected ${expected}, received ${describe(value)}.`,
    });
  }
  return value;
}

/** Throws unless `t` has exactly `expected` as its shape; `why` says where `expected` comes from. */
export function sameShape(
  fn: string,
  argument: string,
  t: Tensor,
  expected: readonly number[],
  why: string,
): void {
  const ok = t.shape.length === expected.length && t.shape.every((d, i) => d === expected[i]);
  if (!ok) {
    throw new LossError({
      code: 'SHAPE_MISMATCH',
      fn,
      argument,
      detail: `expected shape ${shapeOf(expected)} (${why}), received ${describe(t)}.`,
    });
  }
}

/**
 * The values of a mask as 0/1 bytes: a bool tensor, or an int32 tensor of zeros and ones (the
 * attention masks tokenizers produce). A float mask is refused, since 0.5 has no meaning here.
 */
export function readMask(fn: string, argument: string, mask: Tensor): Uint8Array {
  const values = readHost(fn, argument, mask);
  if (mask.dtype === 'bool') return values as Uint8Array;
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== 0 && v !== 1) {
      throw new LossError({
        code: 'INVALID_ARGUMENT',
        fn,
        argument,
        detail: `an int32 mask must hold only 0 and 1, received ${v} at flat index ${i} of ${describe(mask)}.`,
      });
    }
    out[i] = v;
  }
  return out;
}

/**
 * The values of an integer input (targets, ids, masks) that the loss needs on the host. On
 * WebGPU a tensor computed on the device cannot be read synchronously: such inputs must be made
 * from host arrays, and the error says so.
 */
export function readHost(fn: string, argument: string, t: Tensor): HostValues {
  const values = hostValues(t);
  if (values === undefined) {
    throw new LossError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument,
      detail:
        `${describe(t)} was computed on the WebGPU device, where it cannot be read ` +
        'synchronously; build it from a host array (ops.tensor(values, shape, dtype)), or ' +
        'read it first with await tensor.data().',
    });
  }
  return values;
}

/**
 * Throws when a per-row statistic computed from the logits is not finite (NaN or ±Infinity).
 * Skipped where the statistic cannot be read without a device round trip (results on WebGPU):
 * there non-finite logits give a non-finite loss instead.
 */
export function finiteRows(
  fn: string,
  argument: string,
  logits: Tensor,
  rowStatistic: Tensor,
): void {
  const rowValues = hostValues(rowStatistic);
  if (rowValues === undefined) return;
  for (let n = 0; n < rowValues.length; n++) {
    if (!Number.isFinite(rowValues[n]!)) {
      throw new LossError({
        code: 'NON_FINITE',
        fn,
        argument,
        detail:
          `row ${n} of ${describe(logits)} (flattened to rows of the last axis) holds NaN or ` +
          '+Infinity, or only -Infinity, so its log-sum-exp is not finite. Repair the logits ' +
          '(a NaN usually comes from an overflowing layer upstream).',
      });
    }
  }
}

/** One of a fixed set of strings. */
export function oneOf<T extends string>(
  fn: string,
  argument: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (!allowed.includes(value as T)) {
    throw new LossError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument,
      detail: `expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, received ${describeValue(value)}.`,
    });
  }
  return value as T;
}

/**
 * A mask of shape `shape` as a float32 tensor of 0 and 1 (owned by the caller's scope). A bool
 * mask is cast without reading it; an int32 mask is read once to check it holds only 0 and 1.
 */
export function maskArg(
  fn: string,
  argument: string,
  mask: unknown,
  shape: readonly number[],
  why: string,
): Tensor {
  const m = tensorArg(fn, argument, mask, ['bool', 'int32'], [shape.length]);
  sameShape(fn, argument, m, shape, why);
  if (m.dtype === 'int32' && hostValues(m) !== undefined) readMask(fn, argument, m);
  return ops.cast(m, 'float32');
}
