/**
 * Every parameter of a config, by its Hugging Face name, with its shape and initialisation, and
 * the parameter counts derived from them (computed without allocating a model, so the count of
 * a 1B-parameter preset is free).
 *
 * Initialisation is GPT-2's (Radford et al. 2019, §2.3; `GPT2PreTrainedModel._init_weights` in
 * Hugging Face's `modeling_gpt2.py`, and nanoGPT's `model.py`): weights and embeddings
 * N(0, 0.02), biases 0, norm gains 1, and the projections that write into the residual stream
 * (attention output, MLP output) N(0, 0.02/√(2L)), "to account for the accumulation on the
 * residual path with model depth".
 */
import { type ResolvedTransformerConfig, resolveConfig, type TransformerConfig } from './config.js';
import {
  attentionLinears,
  type LinearLayout,
  mlpLinears,
  modelLayout,
  type NormLayout,
} from './internal/layout.js';

/** How a parameter starts: N(0, std²), zeros or ones. @public */
export type ParameterInit =
  | { readonly kind: 'normal'; readonly std: number }
  | { readonly kind: 'zeros' }
  | { readonly kind: 'ones' };

/** One parameter: Hugging Face name, shape (in that library's layout) and initialisation. @public */
export interface ParameterSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: ParameterInit;
  /** Whether the parameter multiplies activations in a matrix product (counted in 6·N FLOPs). */
  readonly matmul: boolean;
}

/** Parameter counts of a config. @public */
export interface ParameterCount {
  /** Every parameter, a tied output embedding counted once (as Hugging Face's `num_parameters()`). */
  readonly total: number;
  /** The token embedding table. */
  readonly tokenEmbedding: number;
  /** Learned position embeddings (0 with RoPE). */
  readonly positionEmbedding: number;
  /**
   * Parameters used in matrix products per token: every projection plus the output embedding
   * (tied or not); position embeddings and, when untied, the input embedding are lookups. This
   * is the N of the 6·N training FLOPs per token (nanoGPT's `estimate_mfu`, PaLM appendix B).
   */
  readonly matmul: number;
}

function linearSpecs(layout: LinearLayout, std: number, residualStd: number): ParameterSpec[] {
  const { inputs, outputs } = layout;
  const weight: ParameterSpec = {
    name: layout.weight,
    shape: layout.transposed ? [outputs, inputs] : [inputs, outputs],
    init: { kind: 'normal', std: layout.residual ? residualStd : std },
    matmul: true,
  };
  if (layout.bias === undefined) return [weight];
  return [weight, { name: layout.bias, shape: [outputs], init: { kind: 'zeros' }, matmul: false }];
}

function normSpecs(layout: NormLayout): ParameterSpec[] {
  const gain: ParameterSpec = {
    name: layout.weight,
    shape: [layout.size],
    init: { kind: 'ones' },
    matmul: false,
  };
  if (layout.bias === undefined) return [gain];
  return [
    gain,
    { name: layout.bias, shape: [layout.size], init: { kind: 'zeros' }, matmul: false },
  ];
}

/** The parameter list of a resolved config (internal form of {@link parameterSpecs}). @internal */
export function specsOf(config: ResolvedTransformerConfig): ParameterSpec[] {
  const layout = modelLayout(config);
  const std = config.initStd;
  const residualStd = std / Math.sqrt(2 * config.layers);
  const specs: ParameterSpec[] = [
    {
      name: layout.tokenEmbedding,
      shape: [config.vocabSize, config.width],
      init: { kind: 'normal', std },
      matmul: config.tieEmbeddings,
    },
  ];
  if (layout.positionEmbedding !== undefined) {
    specs.push({
      name: layout.positionEmbedding,
      shape: [config.contextLength, config.width],
      init: { kind: 'normal', std },
      matmul: false,
    });
  }
  for (const block of layout.blocks) {
    specs.push(...normSpecs(block.norm1));
    for (const linear of attentionLinears(block))
      specs.push(...linearSpecs(linear, std, residualStd));
    specs.push(...normSpecs(block.norm2));
    for (const linear of mlpLinears(block)) specs.push(...linearSpecs(linear, std, residualStd));
  }
  specs.push(...normSpecs(layout.finalNorm));
  if (layout.lmHead !== undefined) {
    specs.push({
      name: layout.lmHead,
      shape: [config.vocabSize, config.width],
      init: { kind: 'normal', std },
      matmul: true,
    });
  }
  return specs;
}

/**
 * The parameters a model with this config has, in Hugging Face's state-dict order.
 * @example
 * ```ts
 * parameterSpecs(GPT2_SMALL)[2]; // { name: 'transformer.h.0.ln_1.weight', shape: [768], init: { kind: 'ones' }, … }
 * ```
 * @throws TransformerError `INVALID_ARGUMENT` for a config that cannot work.
 * @public
 */
export function parameterSpecs(config: TransformerConfig): ParameterSpec[] {
  return specsOf(resolveConfig(config, 'parameterSpecs'));
}

/**
 * Counts the parameters of a config without building the model.
 * @example
 * ```ts
 * countParameters(GPT2_SMALL).total; // 124_439_808
 * ```
 * @public
 */
export function countParameters(config: TransformerConfig): ParameterCount {
  const resolved = resolveConfig(config, 'countParameters');
  const specs = specsOf(resolved);
  const size = (spec: ParameterSpec): number => spec.shape.reduce((a, b) => a * b, 1);
  const sum = (list: ParameterSpec[]): number => list.reduce((a, s) => a + size(s), 0);
  return {
    total: sum(specs),
    tokenEmbedding: resolved.vocabSize * resolved.width,
    positionEmbedding:
      resolved.positions === 'learned' ? resolved.contextLength * resolved.width : 0,
    matmul: sum(specs.filter((s) => s.matmul)),
  };
}
