/**
 * The additive causal masks of composed attention, made once per backend and shape and kept.
 * Building a [T, S] mask from engine operations on every call cost more than the attention itself
 * on WebGPU (tfjs's `ones` and `zeros` fill host arrays and upload them); nanoGPT likewise
 * registers its mask once as a buffer. A few recent shapes are kept per backend (training uses
 * one, generation a prompt's and then none: a single query sees every key), so the cache stays
 * small; {@link cachedMaskMemory} lets the memory report and the leak check leave these out.
 */
import type { Tensor } from '../tensor.js';
import { tf } from './engine.js';

/** Masks kept per backend. */
const MASKS_PER_BACKEND = 4;

/** Each backend instance's masks by `t×s`, least recently used first. */
const byBackend = new WeakMap<object, Map<string, Tensor>>();
/** Every kept mask, for the memory accounting. */
const kept = new Set<Tensor>();

/**
 * [T, S] float32 of 0 where query i (the last T of S positions) sees key j ≤ i + (S − T), and
 * −∞ elsewhere, on the current backend. Owned by this cache: never dispose it.
 */
export function causalMask(t: number, s: number): Tensor {
  const backend = tf.backend();
  let masks = byBackend.get(backend);
  if (masks === undefined) {
    masks = new Map();
    byBackend.set(backend, masks);
  }
  const key = `${t}×${s}`;
  const cached = masks.get(key);
  if (cached !== undefined && !cached.isDisposed) {
    masks.delete(key);
    masks.set(key, cached);
    return cached;
  }
  const values = new Float32Array(t * s);
  for (let i = 0; i < t; i++)
    values.fill(Number.NEGATIVE_INFINITY, i * s + i + (s - t) + 1, (i + 1) * s);
  const mask = tf.keep(tf.tensor(values, [t, s], 'float32')) as Tensor;
  masks.set(key, mask);
  kept.add(mask);
  if (masks.size > MASKS_PER_BACKEND) {
    const [oldestKey, oldest] = masks.entries().next().value as [string, Tensor];
    masks.delete(oldestKey);
    kept.delete(oldest);
    oldest.dispose();
  }
  return mask;
}

/** Tensors and bytes the cache holds now (on every backend). */
export function cachedMaskMemory(): { tensors: number; bytes: number } {
  let tensors = 0;
  let bytes = 0;
  for (const mask of kept) {
    if (mask.isDisposed) {
      kept.delete(mask);
      continue;
    }
    tensors++;
    bytes += 4 * mask.size;
  }
  return { tensors, bytes };
}
