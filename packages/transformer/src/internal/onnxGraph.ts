/**
 * The decoder as ONNX nodes, shared by the graph layouts of `exportOnnx`: embeddings, norms
 * (each residual addition fused into the norm after it: ONNX Runtime's SkipLayerNormalization,
 * or SkipSimplifiedLayerNormalization for RMSNorm), projections, RoPE and MLP, mirroring
 * `transformer.ts` node for node; the attention over the cache comes from the layout. Weights
 * are initializers stored [in, out] for MatMul (Llama's [out, in] matrices are transposed; a
 * tied output projection is stored transposed beside the embedding).
 */
import type { OnnxNode, OnnxTensor, OnnxValueInfo } from '@llmkit/tensor-gpu/onnx';
import type { Transformer } from '../transformer.js';
import { attentionLinears, type LinearLayout, modelLayout, type NormLayout } from './layout.js';

/** Builds nodes with fresh value names. */
export class GraphBuilder {
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

/** A layout's attention over its cache. */
export interface AttentionKernel {
  /** Whether it takes GPT-2's packed [q | k | v] projection as it is (models without RoPE). */
  readonly packed: boolean;
  /**
   * Adds block i's attention: `qkv` is [packed, '', ''] or [q, k, v] (RoPE applied), [B, T, n·d]
   * each; returns the heads merged, [B, T, H·d].
   */
  attend(g: GraphBuilder, i: number, qkv: string[]): string;
}

/** The decoder's nodes, inputs and outputs (`input_ids`, `position_ids` or the RoPE tables; `logits`). */
export interface DecoderGraph {
  readonly g: GraphBuilder;
  readonly inputs: OnnxValueInfo[];
  readonly outputs: OnnxValueInfo[];
}

/** Builds the decoder around `kernel`'s attention. */
export function decoderGraph(model: Transformer, kernel: AttentionKernel): DecoderGraph {
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
  for (const [i, block] of layout.blocks.entries()) {
    const hIn = nextNorm(block.norm1);
    // Packed [q | k | v] goes to the attention kernel as it is (no split) unless RoPE turns q and k.
    let qkv: string[];
    if (kernel.packed && block.qkv.kind === 'fused' && config.positions !== 'rope')
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
    const merged = kernel.attend(g, i, qkv);
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
  return { g, inputs, outputs };
}

/** Initializers by name, first occurrence kept (a weight used twice is stored once). */
export function dedupe(tensors: OnnxTensor[]): OnnxTensor[] {
  const seen = new Map<string, OnnxTensor>();
  for (const t of tensors) if (!seen.has(t.name)) seen.set(t.name, t);
  return [...seen.values()];
}
