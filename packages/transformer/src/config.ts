/**
 * The shape of a decoder-only transformer, and its validation. One config covers GPT-2
 * (learned positions, LayerNorm, GELU, fused QKV) and Llama (RoPE, RMSNorm, SwiGLU, grouped-query
 * attention) and the mixtures between them; `naming` picks whose tensor names and layouts the
 * parameters carry, so checkpoints move to and from Hugging Face transformers unchanged.
 *
 * Not here: sliding-window or sparse attention, mixture-of-experts, post-norm blocks, RoPE
 * scaling variants (linear, NTK, YaRN), parallel attention+MLP blocks.
 */
import { describeValue } from '@llmkit/numeric';
import { TransformerError } from './errors.js';

/** Position information: learned absolute embeddings (GPT-2) or rotary (RoPE, Su et al. 2021). @public */
export type PositionKind = 'learned' | 'rope';
/** Normalisation: LayerNorm (Ba et al. 2016) or RMSNorm (Zhang & Sennrich 2019). @public */
export type NormKind = 'layernorm' | 'rmsnorm';
/** Feed-forward block: GELU MLP (GPT-2) or SwiGLU (Shazeer 2020, "GLU Variants"; Llama). @public */
export type MlpKind = 'gelu' | 'swiglu';
/** GELU as GPT-2's tanh approximation (`gelu_new`) or the exact erf form. @public */
export type GeluKind = 'tanh' | 'exact';
/** Whose tensor names and weight layouts the parameters use. @public */
export type NamingKind = 'gpt2' | 'llama';

/** A transformer's shape and choices; omitted fields take the defaults shown. @public */
export interface TransformerConfig {
  /** Token vocabulary size V; ids are in [0, V). */
  readonly vocabSize: number;
  /** Longest sequence the model attends over (GPT-2's `n_positions`, Llama's `max_position_embeddings`). */
  readonly contextLength: number;
  /** Number of transformer blocks L. */
  readonly layers: number;
  /** Residual stream width C (`n_embd`, `hidden_size`). */
  readonly width: number;
  /** Attention heads H; must divide `width`. */
  readonly heads: number;
  /** Key/value heads for grouped-query attention (Ainslie et al. 2023); must divide `heads`. @defaultValue `heads` (multi-head attention) */
  readonly kvHeads?: number;
  /**
   * Hidden width of the feed-forward block. @defaultValue 4·width for `'gelu'` (GPT-2); for
   * `'swiglu'`, ⌈(8/3·width)/256⌉·256 (Llama's `model.py`, `multiple_of = 256`)
   */
  readonly mlpWidth?: number;
  /** @defaultValue `'learned'` */
  readonly positions?: PositionKind;
  /** RoPE base θ (Llama 2 and earlier: 10000; Llama 3: 500000). @defaultValue 10000 */
  readonly ropeBase?: number;
  /** @defaultValue `'layernorm'` */
  readonly norm?: NormKind;
  /** ε of the normalisation (GPT-2 `layer_norm_epsilon` 1e-5; Llama `rms_norm_eps` 1e-6 or 1e-5). @defaultValue 1e-5 */
  readonly normEpsilon?: number;
  /** @defaultValue `'gelu'` */
  readonly mlp?: MlpKind;
  /** @defaultValue `'tanh'` (GPT-2's `gelu_new`) */
  readonly gelu?: GeluKind;
  /** Output projection shares the token embedding matrix (GPT-2, SmolLM). @defaultValue true */
  readonly tieEmbeddings?: boolean;
  /** Biases on the attention and MLP projections (and LayerNorm's shift). @defaultValue true */
  readonly bias?: boolean;
  /** Dropout probability on embeddings, attention weights and residual branches during training. @defaultValue 0 */
  readonly dropout?: number;
  /** Standard deviation of the GPT-2 initialisation. @defaultValue 0.02 */
  readonly initStd?: number;
  /**
   * Tensor names and layouts. @defaultValue `'gpt2'` for learned positions with a GELU MLP,
   * otherwise `'llama'`
   */
  readonly naming?: NamingKind;
}

/** A config with every default filled in and every constraint checked. @public */
export interface ResolvedTransformerConfig {
  readonly vocabSize: number;
  readonly contextLength: number;
  readonly layers: number;
  readonly width: number;
  readonly heads: number;
  readonly kvHeads: number;
  /** width / heads. */
  readonly headDim: number;
  readonly mlpWidth: number;
  readonly positions: PositionKind;
  readonly ropeBase: number;
  readonly norm: NormKind;
  readonly normEpsilon: number;
  readonly mlp: MlpKind;
  readonly gelu: GeluKind;
  readonly tieEmbeddings: boolean;
  readonly bias: boolean;
  readonly dropout: number;
  readonly initStd: number;
  readonly naming: NamingKind;
}

const KEYS: readonly (keyof TransformerConfig)[] = [
  'vocabSize',
  'contextLength',
  'layers',
  'width',
  'heads',
  'kvHeads',
  'mlpWidth',
  'positions',
  'ropeBase',
  'norm',
  'normEpsilon',
  'mlp',
  'gelu',
  'tieEmbeddings',
  'bias',
  'dropout',
  'initStd',
  'naming',
];

/** Llama's feed-forward width for SwiGLU: 2/3 of 4·width, rounded up to a multiple of 256. */
function swigluWidth(width: number): number {
  return Math.ceil(Math.floor((8 * width) / 3) / 256) * 256;
}

/**
 * Fills in defaults and checks that the config can work, reporting every problem at once. A
 * resolved config resolves to itself.
 * @example
 * ```ts
 * const config = resolveConfig({ vocabSize: 65, contextLength: 256, layers: 6, width: 384, heads: 6 });
 * config.headDim; // 64
 * ```
 * @throws TransformerError `INVALID_ARGUMENT` listing each problem (e.g. heads not dividing the
 *   width, key/value heads not dividing the heads, an odd head size with RoPE).
 * @public
 */
export function resolveConfig(
  config: TransformerConfig,
  fn = 'resolveConfig',
): ResolvedTransformerConfig {
  if (typeof config !== 'object' || config === null) {
    throw new TransformerError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'config',
      detail: `expected a TransformerConfig object, received ${describeValue(config)}.`,
    });
  }
  const problems: string[] = [];
  for (const key of Object.keys(config)) {
    // A resolved config carries the derived headDim; it is recomputed below.
    if (key === 'headDim') continue;
    if (!KEYS.includes(key as keyof TransformerConfig)) {
      problems.push(`unknown field ${JSON.stringify(key)} (known: ${KEYS.join(', ')})`);
    }
  }
  const integer = (key: keyof TransformerConfig, value: unknown, min: number): number => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
      problems.push(`${key} must be an integer ≥ ${min}, received ${describeValue(value)}`);
      return Number.NaN;
    }
    return value;
  };
  const real = (
    key: keyof TransformerConfig,
    value: unknown,
    ok: (x: number) => boolean,
    range: string,
  ): number => {
    if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
      problems.push(`${key} must be ${range}, received ${describeValue(value)}`);
      return Number.NaN;
    }
    return value;
  };
  const choice = <T extends string>(
    key: keyof TransformerConfig,
    value: unknown,
    options: readonly T[],
  ): T => {
    if (!options.includes(value as T)) {
      problems.push(
        `${key} must be one of ${options.map((o) => `'${o}'`).join(', ')}, received ${describeValue(value)}`,
      );
    }
    return value as T;
  };
  const flag = (key: keyof TransformerConfig, value: unknown): boolean => {
    if (typeof value !== 'boolean')
      problems.push(`${key} must be true or false, received ${describeValue(value)}`);
    return value === true;
  };

  const vocabSize = integer('vocabSize', config.vocabSize, 1);
  const contextLength = integer('contextLength', config.contextLength, 1);
  const layers = integer('layers', config.layers, 1);
  const width = integer('width', config.width, 1);
  const heads = integer('heads', config.heads, 1);
  const kvHeads = integer('kvHeads', config.kvHeads ?? config.heads, 1);
  const positions = choice('positions', config.positions ?? 'learned', [
    'learned',
    'rope',
  ] as const);
  const mlp = choice('mlp', config.mlp ?? 'gelu', ['gelu', 'swiglu'] as const);
  const defaultMlpWidth = mlp === 'swiglu' ? swigluWidth(width) : 4 * width;
  const mlpWidth = integer('mlpWidth', config.mlpWidth ?? defaultMlpWidth, 1);
  const ropeBase = real('ropeBase', config.ropeBase ?? 10000, (x) => x > 1, 'a number > 1');
  const norm = choice('norm', config.norm ?? 'layernorm', ['layernorm', 'rmsnorm'] as const);
  const normEpsilon = real(
    'normEpsilon',
    config.normEpsilon ?? 1e-5,
    (x) => x > 0 && x < 1,
    'in (0, 1)',
  );
  const gelu = choice('gelu', config.gelu ?? 'tanh', ['tanh', 'exact'] as const);
  const tieEmbeddings = flag('tieEmbeddings', config.tieEmbeddings ?? true);
  const bias = flag('bias', config.bias ?? true);
  const dropout = real('dropout', config.dropout ?? 0, (x) => x >= 0 && x < 1, 'in [0, 1)');
  const initStd = real('initStd', config.initStd ?? 0.02, (x) => x > 0, 'a number > 0');
  const defaultNaming = positions === 'learned' && mlp === 'gelu' ? 'gpt2' : 'llama';
  const naming = choice('naming', config.naming ?? defaultNaming, ['gpt2', 'llama'] as const);

  if (Number.isFinite(width) && Number.isFinite(heads) && width % heads !== 0) {
    problems.push(
      `heads (${heads}) must divide width (${width}): the head size width/heads would be ${width / heads}`,
    );
  }
  if (Number.isFinite(heads) && Number.isFinite(kvHeads) && heads % kvHeads !== 0) {
    problems.push(
      `kvHeads (${kvHeads}) must divide heads (${heads}) so that each key/value head serves a whole group of query heads`,
    );
  }
  const headDim = width / heads;
  const given = (config as { headDim?: unknown }).headDim;
  if (given !== undefined && given !== headDim) {
    problems.push(
      `headDim ${describeValue(given)} must equal width / heads = ${headDim} (other head sizes are not supported)`,
    );
  }
  if (positions === 'rope' && Number.isInteger(headDim) && headDim % 2 !== 0) {
    problems.push(
      `RoPE rotates pairs of dimensions, so the head size width/heads must be even, received ${headDim}`,
    );
  }
  if (naming === 'gpt2' && mlp !== 'gelu') {
    problems.push(
      "naming 'gpt2' has no tensor names for a SwiGLU MLP; use naming 'llama' or mlp 'gelu'",
    );
  }
  if (naming === 'llama' && positions !== 'rope') {
    problems.push(
      "naming 'llama' has no tensor name for learned position embeddings; use naming 'gpt2' or positions 'rope'",
    );
  }
  if (problems.length > 0) {
    throw new TransformerError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'config',
      detail: `the config cannot work: ${problems.map((p, i) => `(${i + 1}) ${p}`).join('; ')}.`,
    });
  }
  return {
    vocabSize,
    contextLength,
    layers,
    width,
    heads,
    kvHeads,
    headDim,
    mlpWidth,
    positions,
    ropeBase,
    norm,
    normEpsilon,
    mlp,
    gelu,
    tieEmbeddings,
    bias,
    dropout,
    initStd,
    naming,
  };
}

/** The config as plain JSON-ready data, without the derived `headDim`. @public */
export function configToJson(config: ResolvedTransformerConfig): TransformerConfig {
  const { headDim: _, ...fields } = config;
  return fields;
}
