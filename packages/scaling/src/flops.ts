/**
 * FLOP counts of training and inference.
 *
 * - Training a dense transformer with N parameters on D tokens costs C ≈ 6·N·D: 2N
 *   multiply-adds per token forward, twice that backward (Kaplan et al. 2020, §2.1;
 *   Hoffmann et al. 2022 use it for every budget).
 * - The detailed count adds attention over the sequence, which 6N leaves out: per token,
 *   6N + 12·L·H·Q·T for training, with L layers, H heads of width Q and sequence length T
 *   (Chowdhery et al. 2022, "PaLM", appendix B). Forward alone is a third of it.
 * - Generating a token costs the forward pass: 2N + 4·L·H·Q·T with T tokens of context.
 *
 * Counts are of matrix multiplications (2 FLOPs per multiply-add), as all three papers count;
 * softmax, norms and activations are left out.
 */
import { check } from './internal/check.js';
import { checkCount } from './internal/counts.js';
import {
  countParameters,
  resolveShape,
  type TransformerParameters,
  type TransformerShape,
} from './transformerShape.js';

/** A model size and a token count. @public */
export interface ParamsAndTokens {
  /** Parameters (N), a raw count: 405e9, not 405. */
  readonly params: number;
  /** Tokens (D), a raw count: 15.6e12, not 15.6. */
  readonly tokens: number;
}

/**
 * Training FLOPs C = 6·N·D (Kaplan et al. 2020, §2.1).
 *
 * @example
 * ```ts
 * trainingFlops({ params: 405e9, tokens: 15.6e12 }); // 3.79e25, Llama 3 405B
 * ```
 * @throws ScalingError when a count is not positive or looks like it is in billions/trillions.
 * @public
 */
export function trainingFlops({ params, tokens }: ParamsAndTokens): number {
  const n = checkCount('trainingFlops', 'params', params, 'parameters');
  const d = checkCount('trainingFlops', 'tokens', tokens, 'tokens');
  return 6 * n * d;
}

/**
 * Inference FLOPs of processing or generating `tokens` tokens: 2·N per token (the forward
 * pass). Use {@link transformerFlops} to add attention over a long context.
 * @public
 */
export function inferenceFlops({ params, tokens }: ParamsAndTokens): number {
  const n = checkCount('inferenceFlops', 'params', params, 'parameters');
  const d = checkCount('inferenceFlops', 'tokens', tokens, 'tokens');
  return 2 * n * d;
}

/** Options of {@link transformerFlops}. @public */
export interface TransformerFlopsOptions {
  /** Sequence length T: the training context, or the context a generated token attends to. */
  readonly sequenceLength: number;
}

/** Per-token FLOPs of a transformer shape. @public */
export interface TransformerFlops {
  readonly parameters: TransformerParameters;
  /**
   * Parameters that take part in a matrix multiplication: all but the input embedding, which
   * is a lookup (with tied embeddings that is every parameter, as in PaLM's count).
   */
  readonly matmulParameters: number;
  /** Forward FLOPs per token by part. */
  readonly forward: {
    readonly attentionProjections: number;
    /** QKᵀ and attention·V over T positions: 4·L·H·Q·T. */
    readonly attentionScores: number;
    readonly mlp: number;
    /** The output projection to the vocabulary. */
    readonly logits: number;
    readonly total: number;
  };
  /** Training FLOPs per token, forward and backward: 6·N + 12·L·H·Q·T (PaLM, appendix B). */
  readonly training: number;
}

/**
 * Detailed per-token FLOPs from a transformer's shape, as in PaLM's appendix B: forward
 * 2N + 4·L·H·Q·T, training three times that.
 *
 * @example
 * ```ts
 * const palm = { layers: 118, dModel: 18432, heads: 48, headDim: 256, kvHeads: 1,
 *   ffnHidden: 73728, gatedMlp: true, vocabSize: 256000, tiedEmbeddings: true };
 * transformerFlops(palm, { sequenceLength: 2048 }).training; // 3.278e12 per token
 * ```
 * @public
 */
export function transformerFlops(
  shape: TransformerShape,
  options: TransformerFlopsOptions,
): TransformerFlops {
  const fn = 'transformerFlops';
  const s = resolveShape(fn, shape);
  const t = check.integer(fn, 'options.sequenceLength', options?.sequenceLength, { min: 1 });
  const parameters = countParameters(s);
  const logitsParameters = s.vocabSize * s.dModel;
  const attentionProjections = 2 * parameters.attention;
  const attentionScores = 4 * s.layers * s.heads * s.headDim * t;
  const mlp = 2 * parameters.mlp;
  const logits = 2 * logitsParameters;
  const total = attentionProjections + attentionScores + mlp + logits;
  return {
    parameters,
    matmulParameters: parameters.nonEmbedding + logitsParameters,
    forward: { attentionProjections, attentionScores, mlp, logits, total },
    training: 3 * total,
  };
}

/** Arguments of {@link mfu}. @public */
export interface MfuInput {
  /** Training throughput of the whole job, tokens per second. */
  readonly tokensPerSecond: number;
  /** Model FLOPs per token: 6N, or {@link TransformerFlops.training} for the detailed count. */
  readonly flopsPerToken: number;
  /** Peak FLOP/s of all accelerators together (per-device peak × devices). */
  readonly peakFlops: number;
}

/**
 * Model FLOPs utilisation: achieved model FLOP/s over peak (Chowdhery et al. 2022, §4.1 and
 * appendix B). Rematerialised FLOPs do not count, so MFU compares across systems.
 *
 * @example
 * ```ts
 * // PaLM 540B: 238.3K tokens/s on 6144 TPU v4 (275 TFLOP/s each) → 46.2%.
 * mfu({ tokensPerSecond: 238.3e3, flopsPerToken: 3.278e12, peakFlops: 6144 * 275e12 }); // 0.462
 * ```
 * @public
 */
export function mfu({ tokensPerSecond, flopsPerToken, peakFlops }: MfuInput): number {
  const fn = 'mfu';
  const rate = check.positive(fn, 'tokensPerSecond', tokensPerSecond);
  const perToken = check.positive(fn, 'flopsPerToken', flopsPerToken);
  const peak = check.positive(fn, 'peakFlops', peakFlops);
  return (rate * perToken) / peak;
}
