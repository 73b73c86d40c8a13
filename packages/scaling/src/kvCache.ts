/**
 * The key/value cache of autoregressive inference: every layer keeps a key and a value
 * vector per KV head for every token in context, 2·L·H_kv·Q·T·B values in all. Grouped-query
 * attention (Ainslie et al. 2023) shrinks it by heads/kvHeads.
 */
import { check } from './internal/check.js';
import { resolveShape, type TransformerShape } from './transformerShape.js';

/** Options of {@link kvCacheBytes}. @public */
export interface KvCacheOptions {
  /** Tokens in context per sequence (prompt + generated). */
  readonly sequenceLength: number;
  /** Sequences held at once. @defaultValue 1 */
  readonly batch?: number;
  /** Bytes per cached value: 2 for fp16/bf16, 1 for fp8. @defaultValue 2 */
  readonly bytesPerValue?: number;
}

/**
 * Bytes of KV cache: 2 · layers · kvHeads · headDim · sequenceLength · batch · bytesPerValue.
 *
 * @example
 * ```ts
 * // Llama 2 70B (80 layers, 8 KV heads of 128): 320 KiB per token, 1.25 GiB for 4,096 tokens.
 * kvCacheBytes({ layers: 80, dModel: 8192, heads: 64, kvHeads: 8, vocabSize: 32000 }, { sequenceLength: 4096 });
 * ```
 * @public
 */
export function kvCacheBytes(shape: TransformerShape, options: KvCacheOptions): number {
  const fn = 'kvCacheBytes';
  const s = resolveShape(fn, shape);
  const seq = check.integer(fn, 'options.sequenceLength', options?.sequenceLength, { min: 1 });
  const batch = check.integer(fn, 'options.batch', options.batch ?? 1, { min: 1 });
  const bytes = check.positive(fn, 'options.bytesPerValue', options.bytesPerValue ?? 2);
  return 2 * s.layers * s.kvHeads * s.headDim * seq * batch * bytes;
}
