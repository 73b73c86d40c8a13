/**
 * Tensor lifetimes. Tensors hold device memory that JavaScript's garbage collector never sees,
 * so every tensor must be disposed: explicitly (`dispose`), or by creating it inside a
 * {@link scope}, which frees every tensor made inside except those returned or {@link keep}t.
 * {@link leakCheck} wraps any operation in a test and fails when it leaves tensors behind;
 * {@link memoryReport} says what is allocated now.
 */
import { TensorError } from './errors.js';
import { cachedMaskMemory } from './internal/causalMasks.js';
import { tf } from './internal/engine.js';
import type { Tensor } from './tensor.js';

/** Anything a scope may return: tensors, arrays and objects of them, or plain values. @public */
export type TensorContainer =
  // biome-ignore lint/suspicious/noConfusingVoidType: a scope body may return nothing.
  | void
  | Tensor
  | string
  | number
  | boolean
  | readonly TensorContainer[]
  | { readonly [key: string]: TensorContainer }
  | Float32Array
  | Int32Array
  | Uint8Array;

/**
 * Runs `fn` and frees every tensor it created except those in its return value and those
 * passed to {@link keep}. Scopes nest. `fn` must be synchronous: an `await` inside would let
 * tensors escape the scope (the engine throws if `fn` returns a promise).
 *
 * @example
 * ```ts
 * const loss = scope(() => ops.mean(ops.square(ops.sub(prediction, target))));
 * ```
 * @public
 */
export function scope<T extends TensorContainer>(fn: () => T): T {
  return tf.tidy(fn as () => tf.TensorContainer) as T;
}

/** Marks a tensor to survive the enclosing {@link scope}s; returns it. @public */
export function keep<T extends Tensor>(tensor: T): T {
  return tf.keep(tensor);
}

/** Frees a tensor, or every tensor inside an array or object. @public */
export function dispose(container: TensorContainer): void {
  tf.dispose(container as tf.TensorContainer);
}

/** What the engine holds right now. @public */
export interface MemoryReport {
  /** The backend whose memory is described. */
  readonly backend: string;
  /** Live tensors, variables included; llmkit's own cache (`cached`) left out. */
  readonly tensors: number;
  /** Distinct data buffers (reshapes and clones share one); the cache left out. */
  readonly dataBuffers: number;
  /** Bytes of tensor data (4 per float32/int32 element, 1 per bool); the cache left out. */
  readonly bytes: number;
  /**
   * What llmkit keeps for reuse across calls: the causal masks of composed attention, one per
   * recent shape and backend, made on first use and never returned to callers.
   */
  readonly cached: { readonly tensors: number; readonly bytes: number };
  /** True when the backend cannot count exactly (e.g. string tensors); see `reasons`. */
  readonly unreliable: boolean;
  /** Why the counts may be inexact. */
  readonly reasons: readonly string[];
}

/** The engine's current tensor count and bytes, llmkit's cache counted apart. @public */
export function memoryReport(): MemoryReport {
  const info = tf.memory() as tf.MemoryInfo & { reasons?: string[] };
  const cached = cachedMaskMemory();
  return {
    backend: tf.getBackend(),
    tensors: info.numTensors - cached.tensors,
    dataBuffers: info.numDataBuffers - cached.tensors,
    bytes: info.numBytes - cached.bytes,
    cached,
    unreliable: info.unreliable === true,
    reasons: info.reasons ?? [],
  };
}

/** Options of {@link leakCheck}. @public */
export interface LeakCheckOptions {
  /**
   * Tensors the operation may leave allocated beyond what it returns, e.g. optimizer state
   * created on a first step.
   * @defaultValue 0
   */
  readonly allowTensors?: number;
  /** Bytes it may leave allocated beyond what it returns. @defaultValue 0 */
  readonly allowBytes?: number;
}

/**
 * Runs `fn` and throws a `TensorError` with code `'LEAK'` when more tensors or bytes are
 * allocated afterwards than before, not counting the tensors `fn` returns. Works for
 * synchronous and asynchronous functions (the check runs after the promise settles).
 *
 * @example
 * ```ts
 * const out = leakCheck(() => model.forward(ids)); // throws if forward leaks intermediates
 * ```
 * @public
 */
export function leakCheck<T>(fn: () => Promise<T>, options?: LeakCheckOptions): Promise<T>;
/** @public */
export function leakCheck<T>(fn: () => T, options?: LeakCheckOptions): T;
export function leakCheck<T>(
  fn: () => T | Promise<T>,
  options: LeakCheckOptions = {},
): T | Promise<T> {
  const before = memoryReport();
  const result = fn();
  if (result instanceof Promise) {
    return result.then((value) => {
      assertNoLeak(before, value, options);
      return value;
    });
  }
  assertNoLeak(before, result, options);
  return result;
}

function assertNoLeak(before: MemoryReport, result: unknown, options: LeakCheckOptions): void {
  const after = memoryReport();
  const returned = tf.tensor_util.getTensorsInContainer(result as tf.TensorContainer);
  const returnedIds = new Set<number>();
  let returnedBytes = 0;
  for (const t of returned) {
    if (t.isDisposed || returnedIds.has(t.id)) continue;
    returnedIds.add(t.id);
    returnedBytes += t.size * (t.dtype === 'bool' ? 1 : 4);
  }
  const extraTensors = after.tensors - before.tensors - returnedIds.size;
  const extraBytes = after.bytes - before.bytes - returnedBytes;
  const allowTensors = options.allowTensors ?? 0;
  const allowBytes = options.allowBytes ?? 0;
  if (extraTensors > allowTensors || extraBytes > allowBytes) {
    throw new TensorError({
      code: 'LEAK',
      fn: 'leakCheck',
      detail:
        `the operation left ${extraTensors} tensor(s) and ${extraBytes} byte(s) allocated beyond ` +
        `the ${returnedIds.size} tensor(s) it returned (before: ${before.tensors} tensors, ` +
        `${before.bytes} bytes; after: ${after.tensors} tensors, ${after.bytes} bytes). ` +
        'Wrap intermediate work in scope(), dispose() what you no longer need, or raise ' +
        'allowTensors/allowBytes for state created on purpose.',
    });
  }
}
