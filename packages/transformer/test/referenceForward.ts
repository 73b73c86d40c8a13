/**
 * The educational twin: the same decoder-only transformer written out on plain Float64Arrays,
 * one position at a time, with no tensor library, no batching and no cache — the definition the
 * tensor implementation is tested against. It reads weights by Hugging Face name and layout
 * (GPT-2 `Conv1D` [in, out] with fused `c_attn`; Llama `nn.Linear` [out, in]) and follows
 * `modeling_gpt2.py` / `modeling_llama.py` step by step: embeddings, then per block
 * x += attn(norm₁(x)), x += mlp(norm₂(x)), then the final norm and the output projection.
 *
 * It deliberately shares no code with `src/`: names, shapes, RoPE and GELU are spelled out here
 * again.
 */

/** The fields of a config the twin needs (all defaults filled in). */
export interface TwinConfig {
  readonly vocabSize: number;
  readonly layers: number;
  readonly width: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly mlpWidth: number;
  readonly positions: 'learned' | 'rope';
  readonly ropeBase: number;
  readonly norm: 'layernorm' | 'rmsnorm';
  readonly normEpsilon: number;
  readonly mlp: 'gelu' | 'swiglu';
  readonly gelu: 'tanh' | 'exact';
  readonly tieEmbeddings: boolean;
  readonly bias: boolean;
  readonly naming: 'gpt2' | 'llama';
}

type Weights = ReadonlyMap<string, Float32Array>;

function get(weights: Weights, name: string): Float32Array {
  const w = weights.get(name);
  if (w === undefined) throw new Error(`twin: missing weight ${name}`);
  return w;
}

/** y = x·W + b with W stored [in, out] (`transposed` false) or [out, in] (true). */
function project(
  x: Float64Array,
  w: Float32Array,
  b: Float32Array | undefined,
  outputs: number,
  transposed: boolean,
): Float64Array {
  const inputs = x.length;
  const y = new Float64Array(outputs);
  for (let o = 0; o < outputs; o++) {
    let sum = b === undefined ? 0 : b[o]!;
    for (let i = 0; i < inputs; i++)
      sum += x[i]! * w[transposed ? o * inputs + i : i * outputs + o]!;
    y[o] = sum;
  }
  return y;
}

function norm(config: TwinConfig, weights: Weights, prefix: string, x: Float64Array): Float64Array {
  const n = x.length;
  const gain = get(weights, `${prefix}.weight`);
  const shift = weights.get(`${prefix}.bias`);
  let mean = 0;
  if (config.norm === 'layernorm') {
    for (const v of x) mean += v / n;
  }
  let variance = 0;
  for (const v of x) variance += (v - mean) ** 2 / n;
  const scale = 1 / Math.sqrt(variance + config.normEpsilon);
  return x.map((v, i) => (v - mean) * scale * gain[i]! + (shift?.[i] ?? 0));
}

function gelu(x: number, kind: 'tanh' | 'exact'): number {
  if (kind === 'tanh')
    return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/** erf by its Maclaurin series (|x| < 3) or continued fraction, to ~1e-15. */
function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 3) {
    let term = a;
    let sum = a;
    for (let k = 1; k < 100; k++) {
      term *= (-a * a) / k;
      sum += term / (2 * k + 1);
      if (Math.abs(term) < 1e-17) break;
    }
    return Math.sign(x) * ((2 / Math.sqrt(Math.PI)) * sum);
  }
  let f = 0;
  for (let k = 60; k >= 1; k--) f = k / 2 / (a + f);
  return Math.sign(x) * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + f));
}

/** RoPE in Hugging Face's half-split layout: pair (i, i + d/2) rotated by p·θ^(−2i/d). */
function rope(v: Float64Array, position: number, base: number): Float64Array {
  const d = v.length;
  const half = d / 2;
  const out = new Float64Array(d);
  for (let i = 0; i < half; i++) {
    const angle = position / base ** ((2 * i) / d);
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    out[i] = v[i]! * c - v[i + half]! * s;
    out[i + half] = v[i + half]! * c + v[i]! * s;
  }
  return out;
}

/** Logits [T][V] of one sequence. */
export function referenceForward(
  config: TwinConfig,
  weights: Weights,
  ids: readonly number[],
): Float64Array[] {
  const { width: c, heads: h, kvHeads: kv, layers, vocabSize: vocab } = config;
  const d = c / h;
  const gpt2 = config.naming === 'gpt2';
  const wte = get(weights, gpt2 ? 'transformer.wte.weight' : 'model.embed_tokens.weight');
  const xs = ids.map((id, p) => {
    const x = new Float64Array(c);
    for (let i = 0; i < c; i++) x[i] = wte[id * c + i]!;
    if (config.positions === 'learned') {
      const wpe = get(weights, 'transformer.wpe.weight');
      for (let i = 0; i < c; i++) x[i]! += wpe[p * c + i]!;
    }
    return x;
  });
  const opt = (name: string): Float32Array | undefined =>
    config.bias ? get(weights, name) : undefined;
  for (let l = 0; l < layers; l++) {
    const p = gpt2 ? `transformer.h.${l}` : `model.layers.${l}`;
    // Attention: queries, keys and values of every position first (causal: i sees j ≤ i).
    const qs: Float64Array[] = [];
    const ks: Float64Array[] = [];
    const vs: Float64Array[] = [];
    for (const [pos, x] of xs.entries()) {
      const hIn = norm(config, weights, gpt2 ? `${p}.ln_1` : `${p}.input_layernorm`, x);
      let q: Float64Array;
      let k: Float64Array;
      let v: Float64Array;
      if (gpt2) {
        const qkv = project(
          hIn,
          get(weights, `${p}.attn.c_attn.weight`),
          opt(`${p}.attn.c_attn.bias`),
          (h + 2 * kv) * d,
          false,
        );
        q = qkv.slice(0, h * d);
        k = qkv.slice(h * d, (h + kv) * d);
        v = qkv.slice((h + kv) * d);
      } else {
        q = project(
          hIn,
          get(weights, `${p}.self_attn.q_proj.weight`),
          opt(`${p}.self_attn.q_proj.bias`),
          h * d,
          true,
        );
        k = project(
          hIn,
          get(weights, `${p}.self_attn.k_proj.weight`),
          opt(`${p}.self_attn.k_proj.bias`),
          kv * d,
          true,
        );
        v = project(
          hIn,
          get(weights, `${p}.self_attn.v_proj.weight`),
          opt(`${p}.self_attn.v_proj.bias`),
          kv * d,
          true,
        );
      }
      if (config.positions === 'rope') {
        for (let head = 0; head < h; head++)
          q.set(rope(q.slice(head * d, (head + 1) * d), pos, config.ropeBase), head * d);
        for (let head = 0; head < kv; head++)
          k.set(rope(k.slice(head * d, (head + 1) * d), pos, config.ropeBase), head * d);
      }
      qs.push(q);
      ks.push(k);
      vs.push(v);
    }
    for (const [i, x] of xs.entries()) {
      const mixed = new Float64Array(h * d);
      for (let head = 0; head < h; head++) {
        const group = Math.floor(head / (h / kv)); // query head → its key/value head
        const scores = Array.from({ length: i + 1 }, (_, j) => {
          let s = 0;
          for (let t = 0; t < d; t++) s += qs[i]![head * d + t]! * ks[j]![group * d + t]!;
          return s / Math.sqrt(d);
        });
        const max = Math.max(...scores);
        const weightsJ = scores.map((s) => Math.exp(s - max));
        const total = weightsJ.reduce((a, b) => a + b, 0);
        for (let j = 0; j <= i; j++) {
          for (let t = 0; t < d; t++)
            mixed[head * d + t]! += (weightsJ[j]! / total) * vs[j]![group * d + t]!;
        }
      }
      const out = gpt2
        ? project(
            mixed,
            get(weights, `${p}.attn.c_proj.weight`),
            opt(`${p}.attn.c_proj.bias`),
            c,
            false,
          )
        : project(
            mixed,
            get(weights, `${p}.self_attn.o_proj.weight`),
            opt(`${p}.self_attn.o_proj.bias`),
            c,
            true,
          );
      for (let t = 0; t < c; t++) x[t]! += out[t]!;
    }
    // MLP.
    for (const x of xs) {
      const hIn = norm(config, weights, gpt2 ? `${p}.ln_2` : `${p}.post_attention_layernorm`, x);
      const f = config.mlpWidth;
      let hidden: Float64Array;
      if (gpt2) {
        hidden = project(
          hIn,
          get(weights, `${p}.mlp.c_fc.weight`),
          opt(`${p}.mlp.c_fc.bias`),
          f,
          false,
        ).map((u) => gelu(u, config.gelu));
      } else {
        const up = project(
          hIn,
          get(weights, `${p}.mlp.up_proj.weight`),
          opt(`${p}.mlp.up_proj.bias`),
          f,
          true,
        );
        if (config.mlp === 'swiglu') {
          const gate = project(
            hIn,
            get(weights, `${p}.mlp.gate_proj.weight`),
            opt(`${p}.mlp.gate_proj.bias`),
            f,
            true,
          );
          hidden = gate.map((g, i) => (g / (1 + Math.exp(-g))) * up[i]!);
        } else {
          hidden = up.map((u) => gelu(u, config.gelu));
        }
      }
      const down = gpt2
        ? project(
            hidden,
            get(weights, `${p}.mlp.c_proj.weight`),
            opt(`${p}.mlp.c_proj.bias`),
            c,
            false,
          )
        : project(
            hidden,
            get(weights, `${p}.mlp.down_proj.weight`),
            opt(`${p}.mlp.down_proj.bias`),
            c,
            true,
          );
      for (let t = 0; t < c; t++) x[t]! += down[t]!;
    }
  }
  const head = config.tieEmbeddings ? wte : get(weights, 'lm_head.weight');
  return xs.map((x) =>
    project(
      norm(config, weights, gpt2 ? 'transformer.ln_f' : 'model.norm', x),
      head,
      undefined,
      vocab,
      true,
    ),
  );
}
