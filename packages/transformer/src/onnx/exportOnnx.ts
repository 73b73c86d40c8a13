/**
 * The forward pass as an ONNX graph (opset 17, default domain only), with the KV cache as
 * inputs and outputs, so onnxruntime (or any ONNX runtime) runs prefill and decoding steps:
 *
 * inputs   `input_ids` int64 [B, T]; `position_ids` int64 [B, T] (learned positions) or
 *          `rope_cos`, `rope_sin` float [B, 1, T, d] (RoPE; sin with rotate_half's sign folded in,
 *          as `internal/rope.ts` makes them); `attention_bias` float [1|B, 1, G·T, S] (0 where a
 *          query may look, −1e9 elsewhere); `past_key_i`, `past_value_i` float [B, K, P, d]
 * outputs  `logits` float [B, T, V]; `present_key_i`, `present_value_i` float [B, K, P + T, d]
 *
 * The node sequence mirrors `transformer.ts` and `internal/attention.ts` one to one. Weights are
 * initializers, stored [in, out] for MatMul (Llama's [out, in] matrices are transposed on export;
 * a tied output projection is stored transposed beside the embedding). Position tables and the
 * mask are inputs computed by the caller (`OnnxTransformer` does it), which keeps the graph free
 * of shape arithmetic.
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
  const gelu = (x: string): string =>
    g.one('Gelu', [x], {
      approximate: { type: 'string', value: config.gelu === 'tanh' ? 'tanh' : 'none' },
    });
  const split = (x: string, sizes: number[], axis: number): string[] =>
    g.op('Split', [x, g.ints(sizes)], { axis: { type: 'int', value: axis } }, sizes.length);
  const heads = (x: string, count: number): string =>
    g.one('Transpose', [g.one('Reshape', [x, g.ints([0, 0, count, d])])], {
      perm: { type: 'ints', value: [0, 2, 1, 3] },
    });
  const rope = (x: string): string => {
    const [x1, x2] = split(x, [d / 2, d / 2], 3) as [string, string];
    const swapped = g.one('Concat', [x2, x1], { axis: { type: 'int', value: 3 } });
    return g.one('Add', [g.one('Mul', [x, 'rope_cos']), g.one('Mul', [swapped, 'rope_sin'])]);
  };

  const inputs: OnnxValueInfo[] = [
    { name: 'input_ids', dataType: 'int64', shape: ['batch', 'sequence'] },
  ];
  const outputs: OnnxValueInfo[] = [
    { name: 'logits', dataType: 'float32', shape: ['batch', 'sequence', config.vocabSize] },
  ];
  let x = g.one('Gather', [param(layout.tokenEmbedding, [config.vocabSize, c]), 'input_ids']);
  if (layout.positionEmbedding !== undefined) {
    inputs.push({ name: 'position_ids', dataType: 'int64', shape: ['batch', 'sequence'] });
    x = g.one('Add', [
      x,
      g.one('Gather', [param(layout.positionEmbedding, [config.contextLength, c]), 'position_ids']),
    ]);
  } else {
    for (const name of ['rope_cos', 'rope_sin'])
      inputs.push({ name, dataType: 'float32', shape: ['batch', 1, 'sequence', d] });
  }
  inputs.push({
    name: 'attention_bias',
    dataType: 'float32',
    shape: ['mask_batch', 1, 'query_rows', 'total'],
  });
  const scale = g.scalar(1 / Math.sqrt(d));
  // Multi-head attention with learned positions maps onto ONNX Runtime's fused kernel.
  const fused = k === h && config.positions === 'learned';
  for (const [i, block] of layout.blocks.entries()) {
    for (const kind of ['key', 'value']) {
      inputs.push({
        name: `past_${kind}_${i}`,
        dataType: 'float32',
        shape: ['batch', k, 'past', d],
      });
      outputs.push({
        name: `present_${kind}_${i}`,
        dataType: 'float32',
        shape: ['batch', k, 'total', d],
      });
    }
    const hIn = norm(block.norm1, x);
    let q: string;
    let kNew: string;
    let vNew: string;
    if (block.qkv.kind === 'fused')
      [q, kNew, vNew] = split(linear(block.qkv.qkv, hIn), [h * d, k * d, k * d], 2) as [
        string,
        string,
        string,
      ];
    else
      [q, kNew, vNew] = attentionLinears(block)
        .slice(0, 3)
        .map((l) => linear(l, hIn)) as [string, string, string];
    let merged: string;
    if (fused) {
      // ONNX Runtime's fused attention (com.microsoft MultiHeadAttention): scores, mask,
      // softmax and the cache concatenation in one kernel; layouts [B, T, H·d] in, [B, H, S, d] cached.
      const [out, present, presentValue] = g.op(
        'MultiHeadAttention',
        [q, kNew, vNew, '', '', 'attention_bias', `past_key_${i}`, `past_value_${i}`],
        {
          num_heads: { type: 'int', value: h },
          mask_filter_value: { type: 'float', value: MASKED },
        },
        3,
        'com.microsoft',
      ) as [string, string, string];
      g.rename(present, `present_key_${i}`);
      g.rename(presentValue, `present_value_${i}`);
      merged = out;
    } else {
      q = heads(q, h);
      kNew = heads(kNew, k);
      vNew = heads(vNew, k);
      if (config.positions === 'rope') {
        q = rope(q);
        kNew = rope(kNew);
      }
      const keys = g.one('Concat', [`past_key_${i}`, kNew], { axis: { type: 'int', value: 2 } });
      const values = g.one('Concat', [`past_value_${i}`, vNew], {
        axis: { type: 'int', value: 2 },
      });
      g.rename(keys, `present_key_${i}`);
      g.rename(values, `present_value_${i}`);
      const grouped = g.one('Reshape', [q, g.ints([0, k, -1, d])]);
      const kT = g.one('Transpose', [`present_key_${i}`], {
        perm: { type: 'ints', value: [0, 1, 3, 2] },
      });
      const scores = g.one('Add', [
        g.one('Mul', [g.one('MatMul', [grouped, kT]), scale]),
        'attention_bias',
      ]);
      const probabilities = g.one('Softmax', [scores], { axis: { type: 'int', value: -1 } });
      const mixed = g.one('Reshape', [
        g.one('MatMul', [probabilities, `present_value_${i}`]),
        g.ints([0, h, -1, d]),
      ]);
      merged = g.one('Reshape', [
        g.one('Transpose', [mixed], { perm: { type: 'ints', value: [0, 2, 1, 3] } }),
        g.ints([0, 0, h * d]),
      ]);
    }
    x = g.one('Add', [x, linear(block.output, merged)]);
    const h2 = norm(block.norm2, x);
    let hidden: string;
    if (block.gate === undefined) hidden = gelu(linear(block.up, h2));
    else {
      const gate = linear(block.gate, h2);
      hidden = g.one('Mul', [g.one('Mul', [gate, g.one('Sigmoid', [gate])]), linear(block.up, h2)]);
    }
    x = g.one('Add', [x, linear(block.down, hidden)]);
  }
  x = norm(layout.finalNorm, x);
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
