/**
 * The shape of a decoder-only transformer, as the FLOP, memory and parallelism planners need
 * it, and its parameter count. Counts the weight matrices and embeddings only: norms, biases
 * and rotary tables are below 0.1% of any model worth planning and are left out, as PaLM's
 * appendix B and Kaplan et al. (2020, Table 1) leave them out.
 */
import { ScalingError } from './errors.js';
import { check } from './internal/check.js';

/** A decoder-only transformer's dimensions. @public */
export interface TransformerShape {
  /** Transformer blocks (L). */
  readonly layers: number;
  /** Residual-stream width (d_model). */
  readonly dModel: number;
  /** Query heads (H). */
  readonly heads: number;
  /** Width of one head (Q). @defaultValue `dModel / heads` */
  readonly headDim?: number;
  /** Key/value heads: `heads` for multi-head, fewer for grouped-query, 1 for multi-query. @defaultValue `heads` */
  readonly kvHeads?: number;
  /** Hidden width of the MLP. @defaultValue `4 · dModel` */
  readonly ffnHidden?: number;
  /** A gated MLP (SwiGLU/GeGLU: three matrices instead of two), as in PaLM and Llama. @defaultValue false */
  readonly gatedMlp?: boolean;
  /** Vocabulary size (V). */
  readonly vocabSize: number;
  /** Input embedding and output projection share one matrix (GPT-2, PaLM). @defaultValue false */
  readonly tiedEmbeddings?: boolean;
}

/** A shape with every default filled in, validated. @internal */
export interface ResolvedShape {
  readonly layers: number;
  readonly dModel: number;
  readonly heads: number;
  readonly headDim: number;
  readonly kvHeads: number;
  readonly ffnHidden: number;
  readonly gatedMlp: boolean;
  readonly vocabSize: number;
  readonly tiedEmbeddings: boolean;
}

/** The parameter count of a {@link TransformerShape}, by part. @public */
export interface TransformerParameters {
  /** Q, K, V and output projections of all layers. */
  readonly attention: number;
  /** MLP matrices of all layers. */
  readonly mlp: number;
  /** Input embedding plus output projection (counted once when tied). */
  readonly embedding: number;
  /** Everything except the embedding: Kaplan et al.'s N. */
  readonly nonEmbedding: number;
  /** All parameters: PaLM's N. */
  readonly total: number;
}

/** Validates a shape and fills in its defaults. @internal */
export function resolveShape(fn: string, shape: TransformerShape): ResolvedShape {
  if (typeof shape !== 'object' || shape === null) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'shape',
      detail: 'expected {layers, dModel, heads, vocabSize, …}.',
    });
  }
  const int = (name: keyof TransformerShape, value: unknown): number =>
    check.integer(fn, `shape.${name}`, value, { min: 1 });
  const layers = int('layers', shape.layers);
  const dModel = int('dModel', shape.dModel);
  const heads = int('heads', shape.heads);
  if (shape.headDim === undefined && dModel % heads !== 0) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'shape.headDim',
      detail: `dModel ${dModel} is not divisible by heads ${heads}; give headDim explicitly.`,
    });
  }
  const headDim = int('headDim', shape.headDim ?? dModel / heads);
  const kvHeads = int('kvHeads', shape.kvHeads ?? heads);
  if (heads % kvHeads !== 0) {
    throw new ScalingError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'shape.kvHeads',
      detail: `expected a divisor of heads (${heads}), received ${kvHeads}.`,
    });
  }
  return {
    layers,
    dModel,
    heads,
    headDim,
    kvHeads,
    ffnHidden: int('ffnHidden', shape.ffnHidden ?? 4 * dModel),
    gatedMlp: shape.gatedMlp ?? false,
    vocabSize: int('vocabSize', shape.vocabSize),
    tiedEmbeddings: shape.tiedEmbeddings ?? false,
  };
}

/** Parameters of a resolved shape. @internal */
export function countParameters(s: ResolvedShape): TransformerParameters {
  const attentionPerLayer =
    s.dModel * s.heads * s.headDim + // W_Q
    2 * s.dModel * s.kvHeads * s.headDim + // W_K, W_V
    s.heads * s.headDim * s.dModel; // W_O
  const mlpPerLayer = (s.gatedMlp ? 3 : 2) * s.dModel * s.ffnHidden;
  const attention = s.layers * attentionPerLayer;
  const mlp = s.layers * mlpPerLayer;
  const embedding = (s.tiedEmbeddings ? 1 : 2) * s.vocabSize * s.dModel;
  return {
    attention,
    mlp,
    embedding,
    nonEmbedding: attention + mlp,
    total: attention + mlp + embedding,
  };
}

/**
 * The parameter count of a transformer shape.
 *
 * @example
 * ```ts
 * // PaLM 540B (Chowdhery et al. 2022, Table 1): multi-query, SwiGLU, tied 256k vocabulary.
 * transformerParameters({
 *   layers: 118, dModel: 18432, heads: 48, headDim: 256, kvHeads: 1,
 *   ffnHidden: 73728, gatedMlp: true, vocabSize: 256000, tiedEmbeddings: true,
 * }).total; // 540.35e9
 * ```
 * @public
 */
export function transformerParameters(shape: TransformerShape): TransformerParameters {
  return countParameters(resolveShape('transformerParameters', shape));
}
