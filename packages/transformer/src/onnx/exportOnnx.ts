/**
 * The forward pass as an ONNX graph (opset 20 and ONNX Runtime's com.microsoft kernels), with
 * the KV cache as inputs and outputs, in one of two layouts.
 *
 * `'llmkit'` (what {@link OnnxTransformer} runs), over cache arrays of S slots per row that the
 * caller owns and fills:
 *
 * inputs   `input_ids` int64 [B, T]; `position_ids` int64 [B, T] (learned positions) or
 *          `rope_cos`, `rope_sin` float [B, T, 1, d] (RoPE; sin with rotate_half's sign folded in,
 *          as `internal/rope.ts` makes them); `attention_bias` float [B, 1, T, total] (0 where a
 *          query may look, −1e9 elsewhere); `seqlens_k` int32 [B] (slots filled after the run,
 *          minus one); `total_sequence_length` int32 scalar (T for a prompt on an empty cache,
 *          else S); `past_key_i`, `past_value_i` float [B, K, S, d]
 * outputs  `logits` float [B, T, V]; `key_i`, `value_i` float [B, T, K·d]: the T new keys
 *          (RoPE applied) and values, for the caller to write after each row's filled slots
 *
 * Attention is ONNX Runtime's GroupQueryAttention (scores, mask, softmax and values fused). Its
 * present buffers stay inside ONNX Runtime: only one token's keys and values leave a decoding
 * step, so nothing of the size of the cache is returned. Position tables and the mask are
 * computed by the caller, which keeps the graph free of shape arithmetic.
 *
 * `'optimum'`, the names and shapes Hugging Face optimum exports for GPT-2 (what transformers.js
 * and optimum's `ORTModelForCausalLM` load from `onnx/model.onnx`), with a growing cache:
 *
 * inputs   `input_ids`, `attention_mask` int64 [B, P + T] (1 = real token), `position_ids` int64
 *          [B, T]; `past_key_values.i.key`, `past_key_values.i.value` float [B, H, P, d]
 * outputs  `logits`; `present.i.key`, `present.i.value` float [B, H, P + T, d]
 *
 * The causal and padding mask is built in the graph from `attention_mask`; attention is ONNX
 * Runtime's MultiHeadAttention, which concatenates the cache. Learned positions and as many key
 * as query heads only (GPT-2's shape).
 */
import type { OnnxModel, OnnxValueInfo } from '@llmkit/tensor-gpu/onnx';
import { configToJson } from '../config.js';
import { TransformerError } from '../errors.js';
import { MASKED } from '../internal/attention.js';
import {
  type AttentionKernel,
  decoderGraph,
  dedupe,
  type GraphBuilder,
} from '../internal/onnxGraph.js';
import type { Transformer } from '../transformer.js';

/** Options of {@link exportOnnx}. @public */
export interface ExportOnnxOptions {
  /** Stored in the model's metadata. @defaultValue none */
  readonly docString?: string;
  /**
   * Input and output names and cache handling (see the module note): `'llmkit'` for
   * `OnnxTransformer`, `'optimum'` for tools that load Hugging Face optimum's GPT-2 export.
   * @defaultValue 'llmkit'
   */
  readonly layout?: 'llmkit' | 'optimum';
}

/**
 * The model as an ONNX graph with KV-cache inputs and outputs (see the module note for names
 * and shapes). Encode it with `encodeOnnxModel` from `@llmkit/tensor-gpu/onnx`, or run it with
 * {@link OnnxTransformer}.
 * @throws TransformerError `INVALID_ARGUMENT` for the `'optimum'` layout of a model with RoPE or
 *   grouped-query attention.
 * @public
 */
export function exportOnnx(model: Transformer, options: ExportOnnxOptions = {}): OnnxModel {
  const config = model.config;
  const layout = options.layout ?? 'llmkit';
  const extra: { inputs: OnnxValueInfo[]; outputs: OnnxValueInfo[] } = { inputs: [], outputs: [] };
  let kernel: AttentionKernel;
  if (layout === 'optimum') {
    if (config.positions !== 'learned' || config.kvHeads !== config.heads) {
      throw new TransformerError({
        code: 'INVALID_ARGUMENT',
        fn: 'exportOnnx',
        argument: 'options.layout',
        detail: `optimum's layout is written for GPT-2's shape (learned positions, ${config.heads} key heads); this model has ${config.positions} positions and ${config.kvHeads} key heads. Use layout 'llmkit'.`,
      });
    }
    kernel = optimumAttention(model, extra);
  } else if (layout === 'llmkit') kernel = cacheAttention(model, extra);
  else {
    throw new TransformerError({
      code: 'INVALID_ARGUMENT',
      fn: 'exportOnnx',
      argument: 'options.layout',
      detail: `expected 'llmkit' or 'optimum', received ${JSON.stringify(layout)}.`,
    });
  }
  const { g, inputs, outputs } = decoderGraph(model, kernel);
  // optimum's names for the symbolic dimensions (transformers.js sizes the empty cache by them).
  const dims: Readonly<Record<string, string>> =
    layout === 'optimum'
      ? { batch: 'batch_size', sequence: 'sequence_length', past: 'past_sequence_length' }
      : {};
  const named = (values: OnnxValueInfo[]): OnnxValueInfo[] =>
    values.map((v) =>
      v.shape === undefined
        ? v
        : { ...v, shape: v.shape.map((d) => (typeof d === 'string' ? (dims[d] ?? d) : d)) },
    );
  return {
    graph: {
      name: 'transformer',
      nodes: g.nodes,
      inputs: named([...inputs, ...extra.inputs]),
      outputs: named([...outputs, ...extra.outputs]),
      initializers: dedupe(g.initializers),
    },
    opsetImports: [
      { domain: '', version: 20 },
      { domain: 'com.microsoft', version: 1 },
    ],
    producerName: '@llmkit/transformer',
    ...(options.docString !== undefined ? { docString: options.docString } : {}),
    metadata: { llmkit_config: JSON.stringify(configToJson(config)), masked_score: String(MASKED) },
  };
}

type Io = { inputs: OnnxValueInfo[]; outputs: OnnxValueInfo[] };

/** The `'llmkit'` layout: GroupQueryAttention writing into cache arrays of S slots. */
function cacheAttention(model: Transformer, io: Io): AttentionKernel {
  const { heads: h, kvHeads: k, headDim: d, layers } = model.config;
  io.inputs.push(
    { name: 'attention_bias', dataType: 'float32', shape: ['batch', 1, 'sequence', 'total'] },
    { name: 'seqlens_k', dataType: 'int32', shape: ['batch'] },
    { name: 'total_sequence_length', dataType: 'int32', shape: [] },
  );
  for (let i = 0; i < layers; i++) {
    for (const kind of ['key', 'value']) {
      io.inputs.push({
        name: `past_${kind}_${i}`,
        dataType: 'float32',
        shape: ['batch', k, 'capacity', d],
      });
      io.outputs.push({
        name: `${kind}_${i}`,
        dataType: 'float32',
        shape: ['batch', 'sequence', k * d],
      });
    }
  }
  return {
    packed: true,
    attend(g: GraphBuilder, i: number, qkv: string[]): string {
      // The new keys and values leave the graph as outputs (the caller writes them into its
      // cache arrays); the kernel's own present buffers stay inside ONNX Runtime.
      let [q, key, value] = qkv as [string, string, string];
      if (key === '') {
        const parts = g.op(
          'Split',
          [q, g.ints([h * d, k * d, k * d])],
          { axis: { type: 'int', value: 2 } },
          3,
        );
        [key, value] = [parts[1]!, parts[2]!];
      }
      g.rename(key, `key_${i}`);
      g.rename(value, `value_${i}`);
      const [merged] = g.op(
        'GroupQueryAttention',
        [
          ...(qkv[1] === '' ? qkv : [q, `key_${i}`, `value_${i}`]),
          `past_key_${i}`,
          `past_value_${i}`,
          'seqlens_k',
          'total_sequence_length',
          '',
          '',
          '',
          'attention_bias',
        ],
        { num_heads: { type: 'int', value: h }, kv_num_heads: { type: 'int', value: k } },
        3,
        'com.microsoft',
      );
      return merged!;
    },
  };
}

/**
 * The `'optimum'` layout: the mask [B, 1, T, P + T] built once from `attention_mask` (key j is
 * hidden from query i when j > P + i or when it is padding), then MultiHeadAttention per block.
 */
function optimumAttention(model: Transformer, io: Io): AttentionKernel {
  const { heads: h, headDim: d, layers } = model.config;
  io.inputs.push({
    name: 'attention_mask',
    dataType: 'int64',
    shape: ['batch', 'past_sequence_length + 1'],
  });
  for (let i = 0; i < layers; i++) {
    for (const kind of ['key', 'value']) {
      io.inputs.push({
        name: `past_key_values.${i}.${kind}`,
        dataType: 'float32',
        shape: ['batch', h, 'past', d],
      });
      io.outputs.push({
        name: `present.${i}.${kind}`,
        dataType: 'float32',
        shape: ['batch', h, 'past_sequence_length + 1', d],
      });
    }
  }
  let bias: string | undefined;
  const maskBias = (g: GraphBuilder): string => {
    const scalarOf = (x: string): string => g.one('Squeeze', [x, g.ints([0])]);
    const total = g.one('Shape', ['attention_mask'], { start: { type: 'int', value: 1 } });
    const fresh = g.one('Shape', ['input_ids'], { start: { type: 'int', value: 1 } });
    const past = g.one('Sub', [total, fresh]);
    const zero = g.constant('mask.zero', 'int64', [], BigInt64Array.of(0n));
    const one = g.constant('mask.one', 'int64', [], BigInt64Array.of(1n));
    const keys = g.one('Range', [zero, scalarOf(total), one]);
    const queries = g.one('Range', [scalarOf(past), scalarOf(total), one]);
    const ahead = g.one('Greater', [
      g.one('Unsqueeze', [keys, g.ints([0])]),
      g.one('Unsqueeze', [queries, g.ints([1])]),
    ]);
    const padding = g.one('Unsqueeze', [g.one('Equal', ['attention_mask', zero]), g.ints([1, 2])]);
    return g.one('Where', [g.one('Or', [ahead, padding]), g.scalar(MASKED), g.scalar(0)]);
  };
  return {
    packed: false,
    attend(g: GraphBuilder, i: number, qkv: string[]): string {
      bias ??= maskBias(g);
      const [merged] = g.op(
        'MultiHeadAttention',
        [...qkv, '', '', bias, `past_key_values.${i}.key`, `past_key_values.${i}.value`],
        {
          num_heads: { type: 'int', value: h },
          mask_filter_value: { type: 'float', value: MASKED },
        },
        3,
        'com.microsoft',
      );
      const node = g.nodes.at(-1)!;
      (node.outputs as string[]).splice(1, 2, `present.${i}.key`, `present.${i}.value`);
      return merged!;
    },
  };
}
