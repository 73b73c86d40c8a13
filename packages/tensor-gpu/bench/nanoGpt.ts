/**
 * A nanoGPT-shaped decoder (Karpathy's nanoGPT `model.py`: learned positions, pre-LayerNorm
 * blocks with biases, GELU MLP of width 4C, causal self-attention, lm_head tied to the token
 * embedding) written with `@llmkit/tensor-gpu` operations, for benchmarking one training step.
 * It is a benchmark fixture, not the transformer package: no dropout, no generation.
 *
 * The same code runs plain tfjs (`initCompute({ kernels: 'engine' })`, where the fused operations
 * compose the engine's primitives) and llmkit's kernels, so both compute the same function from
 * the same weights.
 */
import { Random } from '@llmkit/numeric';
import {
  causalAttention,
  gelu,
  layerNorm,
  type NamedVariables,
  ops,
  type Scalar,
  softmaxCrossEntropy,
  type Tensor,
  type Variable,
} from '@llmkit/tensor-gpu';

export interface GptConfig {
  readonly vocabSize: number;
  readonly blockSize: number;
  readonly layers: number;
  readonly heads: number;
  readonly embed: number;
}

export interface Gpt {
  readonly config: GptConfig;
  /** Parameters by nanoGPT-like name. */
  readonly parameters: NamedVariables;
  /** Mean next-token cross-entropy of `ids` against `targets`, both int32 [B, T]. */
  loss(ids: Tensor, targets: Tensor): Scalar;
  /** Parameter count (the tied lm_head counted once). */
  readonly size: number;
}

/**
 * Builds the model with nanoGPT's initialisation (normal(0, 0.02); residual projections
 * normal(0, 0.02/√(2·layers)); zero biases; unit LayerNorm gains) from a seeded generator, so two
 * models built with the same seed are identical. `prefix` keeps variable names unique.
 */
export function createGpt(config: GptConfig, seed: number, prefix: string): Gpt {
  const { vocabSize: V, blockSize: T, layers: L, embed: C } = config;
  const rng = new Random(seed);
  const parameters: Record<string, Variable> = {};
  const add = (name: string, shape: number[], init: () => number): void => {
    const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, init);
    parameters[name] = ops.variable(ops.tensor(values, shape), true, `${prefix}.${name}`);
  };
  const normal = (std: number) => () => rng.normal(0, std);
  const constant = (value: number) => () => value;
  const residualStd = 0.02 / Math.sqrt(2 * L);
  add('wte', [V, C], normal(0.02));
  add('wpe', [T, C], normal(0.02));
  for (let l = 0; l < L; l++) {
    add(`h${l}.ln_1.weight`, [C], constant(1));
    add(`h${l}.ln_1.bias`, [C], constant(0));
    add(`h${l}.attn.c_attn.weight`, [C, 3 * C], normal(0.02));
    add(`h${l}.attn.c_attn.bias`, [3 * C], constant(0));
    add(`h${l}.attn.c_proj.weight`, [C, C], normal(residualStd));
    add(`h${l}.attn.c_proj.bias`, [C], constant(0));
    add(`h${l}.ln_2.weight`, [C], constant(1));
    add(`h${l}.ln_2.bias`, [C], constant(0));
    add(`h${l}.mlp.c_fc.weight`, [C, 4 * C], normal(0.02));
    add(`h${l}.mlp.c_fc.bias`, [4 * C], constant(0));
    add(`h${l}.mlp.c_proj.weight`, [4 * C, C], normal(residualStd));
    add(`h${l}.mlp.c_proj.bias`, [C], constant(0));
  }
  add('ln_f.weight', [C], constant(1));
  add('ln_f.bias', [C], constant(0));
  const size = Object.values(parameters).reduce((n, p) => n + p.size, 0);
  const p = (name: string): Variable => parameters[name]!;
  const linear = (x: Tensor, name: string): Tensor =>
    ops.add(ops.matMul(x, p(`${name}.weight`)), p(`${name}.bias`));

  function loss(ids: Tensor, targets: Tensor): Scalar {
    const [B, Tn] = ids.shape as [number, number];
    const hs = C / config.heads;
    const heads = (t: Tensor): Tensor =>
      ops.transpose(ops.reshape(t, [B, Tn, config.heads, hs]), [0, 2, 1, 3]); // (B, nh, T, hs)
    const tokens = ops.reshape(ops.gather(p('wte'), ops.reshape(ids, [-1])), [B, Tn, C]);
    const positions = ops.slice(p('wpe'), [0, 0], [Tn, C]);
    let x = ops.reshape(ops.add(tokens, positions), [B * Tn, C]); // (B·T, C)
    for (let l = 0; l < L; l++) {
      const h = layerNorm(x, p(`h${l}.ln_1.weight`), p(`h${l}.ln_1.bias`));
      const [q, k, v] = ops.split(linear(h, `h${l}.attn.c_attn`), 3, 1).map(heads) as [
        Tensor,
        Tensor,
        Tensor,
      ];
      const att = causalAttention(q, k, v); // (B, nh, T, hs); on cpu/wasm: matMul, causalSoftmax, matMul
      const y = ops.reshape(ops.transpose(att, [0, 2, 1, 3]), [B * Tn, C]);
      x = ops.add(x, linear(y, `h${l}.attn.c_proj`));
      const h2 = layerNorm(x, p(`h${l}.ln_2.weight`), p(`h${l}.ln_2.bias`));
      x = ops.add(x, linear(gelu(linear(h2, `h${l}.mlp.c_fc`)), `h${l}.mlp.c_proj`));
    }
    const logits = ops.matMul(
      layerNorm(x, p('ln_f.weight'), p('ln_f.bias')),
      p('wte'),
      false,
      true,
    );
    return ops.mean(softmaxCrossEntropy(logits, ops.reshape(targets, [-1]))) as Scalar;
  }

  return { config, parameters, loss, size };
}

/** A batch of token ids and next-token targets drawn from a seeded generator: int32 [B, T] each. */
export function randomBatch(
  config: GptConfig,
  batch: number,
  seed: number,
): { ids: Tensor; targets: Tensor } {
  const rng = new Random(seed);
  const n = batch * config.blockSize;
  const stream = Int32Array.from({ length: n + 1 }, () => rng.int(config.vocabSize));
  return {
    ids: ops.tensor(stream.subarray(0, n), [batch, config.blockSize], 'int32'),
    targets: ops.tensor(stream.subarray(1, n + 1), [batch, config.blockSize], 'int32'),
  };
}

/** Forward, backward and parameter gradients by parameter name; returns the loss value. */
export function lossAndGradients(
  model: Gpt,
  ids: Tensor,
  targets: Tensor,
): { loss: Scalar; grads: Record<string, Tensor> } {
  const { value, grads } = ops.variableGrads(() => model.loss(ids, targets));
  const byName: Record<string, Tensor> = {};
  for (const [name, variable] of Object.entries(model.parameters)) {
    const g = grads[variable.name];
    if (g !== undefined) byName[name] = g;
  }
  return { loss: value, grads: byName };
}
