/**
 * The forward pass as an ONNX graph (opset 20 and ONNX Runtime's com.microsoft kernels), with
 * the KV cache as inputs and outputs, so ONNX Runtime runs prefill and decoding steps:
 *
 * inputs   `input_ids` int64 [B, T]; `position_ids` int64 [B, T] (learned positions) or
 *          `rope_cos`, `rope_sin` float [B, T, 1, d] (RoPE; sin with rotate_half's sign folded in,
 *          as `internal/rope.ts` makes them); `attention_bias` float [B, 1, T, total] (0 where a
 *          query may look, −1e9 elsewhere); `seqlens_k` int32 [B] (slots filled after the run,
 *          minus one); `total_sequence_length` int32 scalar (T for a prompt on an empty cache,
 *          else S); `past_key_i`, `past_value_i` float [B, K, S, d], S slots per row
 * outputs  `logits` float [B, T, V]; `present_key_i`, `present_value_i` float [B, K, S, d]: the
 *          past arrays with the T new slots written after each row's filled ones
 *
 * Attention is ONNX Runtime's GroupQueryAttention (fused scores, mask, softmax and values; the
 * cache written in place when `present_*` are bound to the `past_*` arrays, as `OnnxKvCache`
 * does); each residual addition is fused with the norm after it (SkipLayerNormalization, or
 * SkipSimplifiedLayerNormalization for RMSNorm). Otherwise the node sequence mirrors
 * `transformer.ts` and `internal/attention.ts`. Weights are initializers, stored [in, out] for
 * MatMul (Llama's [out, in] matrices are transposed on export; a tied output projection is
 * stored transposed beside the embedding). Position tables and the mask are inputs computed by
 * the caller (`OnnxTransformer` does it), which keeps the graph free of shape arithmetic.
 */
import type { OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from '@llmkit/tensor-gpu/onnx';
import { configToJson } from '../config.js';
import { MASKED } from '../internal/attention.js';
import {
  attentionLinears,
  type LinearLayout,
  modelLayout,
  type NormLayout,
} from '../internal/layout.js';
import type { Transformer } from '../transformer.js';

/** Builds nodes with fresh value names. */
class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private count = 0;

  op(
    opType: string,
    inputs: string[],
    attributes?: OnnxNode['attributes'],
    outputs = 1,
    domain?: string,
  ): string[] {
    const names = Array.from({ length: outputs }, () => `v${this.count++}`);
    this.nodes.push({
      opType,
      inputs,
      outputs: names,
      ...(attributes ? { attributes } : {}),
      ...(domain ? { domain } : {}),
    });
    return names;
  }

  one(opType: string, inputs: string[], attributes?: OnnxNode['attributes']): string {
    return this.op(opType, inputs, attributes)[0]!;
  }

  /** Renames a value where it is produced (graph outputs carry fixed names). */
  rename(value: string, name: string): void {
    for (const node of this.nodes) {
      const at = node.outputs.indexOf(value);
      if (at >= 0) (node.outputs as string[])[at] = name;
    }
  }

  constant(
    name: string,
    dataType: 'float32' | 'int64',
    dims: number[],
    data: Float32Array | BigInt64Array,
  ): string {
    this.initializers.push({ name, dataType, dims, data });
    return name;
  }

  ints(values: number[]): string {
    return this.constant(
      `c${this.count++}`,
      'int64',
      [values.length],
      BigInt64Array.from(values.map(BigInt)),
    );
  }

  scalar(value: number): string {
    return this.constant(`c${this.count++}`, 'float32', [], Float32Array.of(value));
  }
}

/** Options of {@link exportOnnx}. @public */
export interface ExportOnnxOptions {
  /** Stored in the model's metadata. @defaultValue none */
  readonly docString?: string;
}

/**
 * The model as an ONNX graph with KV-cache inputs and outputs (see the module note for names
 * and shapes). Encode it with `encodeOnnxModel` from `@llmkit/tensor-gpu/onnx`, or run it with
 * {@link OnnxTransformer}.
 * @public
 */
export function exportOnnx(model: Transformer, options: ExportOnnxOptions = {}): OnnxModel {
  const config = model.config;
  const weights = new Map(
    Object.entries(model.parameters()).map(([n, v]) => [n, v.dataSync() as Float32Array]),
  );
  const g = new GraphBuilder();
  const layout = modelLayout(config);
  const { heads: h, kvHeads: k, headDim: d, width: c } = config;

  const param = (name: string, shape: readonly number[], transpose = false): string => {
    const values = weights.get(name)!;
    if (!transpose) return g.constant(name, 'float32', [...shape], values);
    const [rows, cols] = shape as [number, number];
    const t = new Float32Array(values.length);
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < cols; j++) t[j * rows + i] = values[i * cols + j]!;
    return g.constant(`${name}.T`, 'float32', [cols, rows], t);
  };
  const linear = (l: LinearLayout, x: string): string => {
    const w = l.transposed
      ? param(l.weight, [l.outputs, l.inputs], true)
      : param(l.weight, [l.inputs, l.outputs]);
    const y = g.one('MatMul', [x, w]);
    return l.bias === undefined ? y : g.one('Add', [y, param(l.bias, [l.outputs])]);
  };
  const norm = (l: NormLayout, x: string): string => {
    const gain = param(l.weight, [l.size]);
    if (config.norm === 'layernorm') {
      const shift =
        l.bias === undefined
          ? g.constant(`${l.weight}.zero`, 'float32', [l.size], new Float32Array(l.size))
          : param(l.bias, [l.size]);
      return g.one('LayerNormalization', [x, gain, shift], {
        axis: { type: 'int', value: -1 },
        epsilon: { type: 'float', value: config.normEpsilon },
      });
    }
    const meanSquare = g.one('ReduceMean', [g.one('Mul', [x, x]), g.ints([-1])], {
      keepdims: { type: 'int', value: 1 },
    });
    const inverse = g.one('Reciprocal', [
      g.one('Sqrt', [g.one('Add', [meanSquare, g.scalar(config.normEpsilon)])]),
    ]);
    return g.one('Mul', [g.one('Mul', [x, inverse]), gain]);
  };
  /**
   * `x + skip` and its norm in one node (ONNX Runtime's SkipLayerNormalization, or
   * SkipSimplifiedLayerNormalization for RMSNorm): returns [norm, sum].
   */
  const addNorm = (l: NormLayout, x: string, skip: string): [string, string] => {
    const gain = param(l.weight, [l.size]);
    const epsilon = { epsilon: { type: 'float', value: config.normEpsilon } } as const;
    const [out, , , sum] =
      config.norm === 'layernorm'
        ? g.op(
            'SkipLayerNormalization',
            [x, skip, gain, ...(l.bias === undefined ? [] : [param(l.bias, [l.size])])],
            epsilon,
            4,
            'com.microsoft',
          )
        : g.op('SkipSimplifiedLayerNormalization', [x, skip, gain], epsilon, 4, 'com.microsoft');
    const node = g.nodes.at(-1)!;
    (node.outputs as string[]).splice(1, 2, '', ''); // mean and inverse deviation: not needed
    return [out!, sum!];
  };
  const gelu = (x: string): string =>
    g.one('Gelu', [x], {
      approximate: { type: 'string', value: config.gelu === 'tanh' ? 'tanh' : 'none' },
    });
  const split = (x: string, sizes: number[], axis: number): string[] =>
    g.op('Split', [x, g.ints(sizes)], { axis: { type: 'int', value: axis } }, sizes.length);
  /** RoPE on [B, T, n·d]: turned per head ([B, T, n, d]) with the [B, T, 1, d] tables. */
  const rope = (x: string, count: number): string => {
    const byHead = g.one('Reshape', [x, g.ints([0, 0, count, d])]);
    const [x1, x2] = split(byHead, [d / 2, d / 2], 3) as [string, string];
    const swapped = g.one('Concat', [x2, x1], { axis: { type: 'int', value: 3 } });
    const turned = g.one('Add', [
      g.one('Mul', [byHead, 'rope_cos']),
      g.one('Mul', [swapped, 'rope_sin']),
    ]);
    return g.one('Reshape', [turned, g.ints([0, 0, count * d])]);
  };

  const inputs: OnnxValueInfo[] = [
    { name: 'input_ids', dataType: 'int64', shape: ['batch', 'sequence'] },
  ];
  const outputs: OnnxValueInfo[] = [
    { name: 'logits', dataType: 'float32', shape: ['batch', 'sequence', config.vocabSize] },
  ];
  // The residual stream x, with `pending` (a sublayer's output) still to be added to it: the
  // addition happens inside the next norm's node.
  let x = g.one('Gather', [param(layout.tokenEmbedding, [config.vocabSize, c]), 'input_ids']);
  let pending: string | undefined;
  const nextNorm = (l: NormLayout): string => {
    if (pending === undefined) return norm(l, x);
    const [out, sum] = addNorm(l, x, pending);
    x = sum;
    return out;
  };
  if (layout.positionEmbedding !== undefined) {
    inputs.push({ name: 'position_ids', dataType: 'int64', shape: ['batch', 'sequence'] });
    pending = g.one('Gather', [
      param(layout.positionEmbedding, [config.contextLength, c]),
      'position_ids',
    ]);
  } else {
    for (const name of ['rope_cos', 'rope_sin'])
      inputs.push({ name, dataType: 'float32', shape: ['batch', 'sequence', 1, d] });
  }
  inputs.push({
    name: 'attention_bias',
    dataType: 'float32',
    shape: ['batch', 1, 'sequence', 'total'],
  });
  inputs.push(
    { name: 'seqlens_k', dataType: 'int32', shape: ['batch'] },
    { name: 'total_sequence_length', dataType: 'int32', shape: [] },
  );
  for (const [i, block] of layout.blocks.entries()) {
    for (const kind of ['key', 'value']) {
      inputs.push({
        name: `past_${kind}_${i}`,
        dataType: 'float32',
        shape: ['batch', k, 'capacity', d],
      });
      outputs.push({
        name: `present_${kind}_${i}`,
        dataType: 'float32',
        shape: ['batch', k, 'capacity', d],
      });
    }
    const hIn = nextNorm(block.norm1);
    // Packed [q | k | v] goes to the attention kernel as it is (no split) unless RoPE turns q and k.
    let qkv: string[];
    if (block.qkv.kind === 'fused' && config.positions !== 'rope')
      qkv = [linear(block.qkv.qkv, hIn), '', ''];
    else {
      qkv =
        block.qkv.kind === 'fused'
          ? split(linear(block.qkv.qkv, hIn), [h * d, k * d, k * d], 2)
          : attentionLinears(block)
              .slice(0, 3)
              .map((l) => linear(l, hIn));
      if (config.positions === 'rope') {
        qkv[0] = rope(qkv[0]!, h);
        qkv[1] = rope(qkv[1]!, k);
      }
    }
    // ONNX Runtime's GroupQueryAttention (com.microsoft): scores, mask, softmax and the product
    // with the values in one kernel, which writes the new keys and values into the cache at each
    // row's length (seqlens_k) — in place when present_* are bound to the past_* arrays.
    const [merged, present, presentValue] = g.op(
      'GroupQueryAttention',
      [
        ...qkv,
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
    ) as [string, string, string];
    g.rename(present, `present_key_${i}`);
    g.rename(presentValue, `present_value_${i}`);
    pending = linear(block.output, merged);
    const h2 = nextNorm(block.norm2);
    let hidden: string;
    if (block.gate === undefined) hidden = gelu(linear(block.up, h2));
    else {
      const gate = linear(block.gate, h2);
      hidden = g.one('Mul', [g.one('Mul', [gate, g.one('Sigmoid', [gate])]), linear(block.up, h2)]);
    }
    pending = linear(block.down, hidden);
  }
  x = nextNorm(layout.finalNorm);
  const head = layout.lmHead ?? layout.tokenEmbedding;
  const logits = g.one('MatMul', [x, param(head, [config.vocabSize, c], true)]);
  g.rename(logits, 'logits');
  return {
    graph: {
      name: 'transformer',
      nodes: g.nodes,
      inputs,
      outputs,
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

/** Initializers by name, first occurrence kept (a weight used twice is stored once). */
function dedupe(tensors: OnnxTensor[]): OnnxTensor[] {
  const seen = new Map<string, OnnxTensor>();
  for (const t of tensors) if (!seen.has(t.name)) seen.set(t.name, t);
  return [...seen.values()];
}
