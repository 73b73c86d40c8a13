/**
 * The causal-attention forward of `attentionShaders.ts` with its products in float16 (WGSL
 * `shader-f16`), for `initCompute({ precision: 'f16' })`. Tensors stay float32 (the engine has no
 * 16-bit dtype): each workgroup loads float32 Q, K and V, rounds them to f16 once, holds the
 * key and value tiles in workgroup memory as `vec4<f16>` — half the bytes, so twice the keys per
 * tile in the same 16 KiB — and multiplies in f16 four lanes at a time (`dot` of two
 * `vec4<f16>` for q·k, `f16(p) · v` for the output), while the softmax statistics (running
 * maximum and sum), the scores and the output accumulators stay f32: f16 products accumulated
 * into f32, as in mixed-precision training (Micikevicius et al. 2018, arXiv:1710.03740, §3.2).
 *
 * Ranges: inputs beyond ±65504 (f16's largest finite value) overflow, as does a four-term partial
 * product of q·k. Below 2⁻¹⁴ f16 is subnormal; the error bound (derived and tested in
 * `causalAttentionF16.test.ts`) assumes subnormals are kept, as lavapipe keeps them. A GPU
 * that flushes f16 subnormals to zero (WGSL permits it) drops probabilities below 2⁻¹⁴ of the
 * row maximum from the output sum: an error of up to S·2⁻¹⁴·max|v| in the worst case.
 */
import { type AttentionProgram, program } from './attentionShaders.js';

/** Rows per workgroup (one query per invocation), as in the f32 forward. */
const ROWS = 32;
/** Bytes of workgroup memory WebGPU guarantees; the f32 forward is sized to the same budget. */
const WORKGROUP_BYTES = 16384;
/** Longest key tile: each invocation keeps a tile's scores in a private f32 array. */
const MAX_TILE = 64;

/** Keys per tile: K and V tiles of TILE · ⌈D/4⌉ `vec4<f16>` (8 bytes) each. */
export const f16KeyTile = (d: number): number =>
  Math.max(1, Math.min(MAX_TILE, Math.floor(WORKGROUP_BYTES / (16 * Math.ceil(d / 4)))));

/**
 * WGSL reading columns c … c+3 of the row starting at `base` of input `name` as a vec4<f32>,
 * zero beyond column D (head sizes that are not a multiple of 4).
 */
function load4(name: string, d: number): string {
  if (d % 4 === 0) {
    return `fn load${name}(base : i32, c : i32) -> vec4<f32> {
    return vec4<f32>(${name}[base + c], ${name}[base + c + 1], ${name}[base + c + 2], ${name}[base + c + 3]);
  }`;
  }
  return `fn load${name}(base : i32, c : i32) -> vec4<f32> {
    var x = vec4<f32>(0.0);
    for (var i = 0; i < 4; i++) { if (c + i < D) { x[i] = ${name}[base + c + i]; } }
    return x;
  }`;
}

/**
 * Forward in f16: output [BH, T, D + 1] as the f32 forward's (attention output, then each row's
 * log-sum-exp of the scaled scores, which the f32 backward uses).
 */
export function forwardF16Program(bh: number, t: number, d: number): AttentionProgram {
  const tile = f16KeyTile(d);
  const d4 = Math.ceil(d / 4);
  const code = `
  enable f16;
  const D = ${d};
  const D4 = ${d4};
  const ROWS = ${ROWS};
  const TILE = ${tile};
  var<workgroup> kTile : array<vec4<f16>, ${tile * d4}>;
  var<workgroup> vTile : array<vec4<f16>, ${tile * d4}>;
  var<workgroup> bound : i32;

  ${load4('Q', d)}
  ${load4('K', d)}
  ${load4('V', d)}

  fn main() {
    let bh = i32(workgroupId.z);
    let t = uniforms.qShape.y;
    let s = uniforms.kShape.y;
    let offset = s - t;
    let tid = i32(localId.x);
    let row = i32(workgroupId.y) * ROWS + tid;
    let valid = row < t;
    var q : array<vec4<f16>, D4>;
    var acc : array<vec4<f32>, D4>;
    if (valid) {
      let base = (bh * t + row) * D;
      for (var c = 0; c < D4; c++) { q[c] = vec4<f16>(loadQ(base, 4 * c) * uniforms.scale); }
    }
    var m = -3.402823e+38;
    var l = 0.0;
    // Keys visible to the block's last query, made provably uniform for the barriers below.
    if (tid == 0) { bound = min(i32(workgroupId.y) * ROWS + ROWS, t) + offset; }
    let keyEnd = workgroupUniformLoad(&bound);
    for (var start = 0; start < keyEnd; start += TILE) {
      for (var e = tid; e < TILE * D4; e += ROWS) {
        let j = start + e / D4;
        if (j < s) {
          let base = (bh * s + j) * D;
          let c = 4 * (e % D4);
          kTile[e] = vec4<f16>(loadK(base, c));
          vTile[e] = vec4<f16>(loadV(base, c));
        }
      }
      workgroupBarrier();
      let end = min(start + TILE, row + offset + 1);
      if (valid && end > start) {
        var scores : array<f32, TILE>;
        var tileMax = -3.402823e+38;
        for (var j = start; j < end; j++) {
          var qk = 0.0;
          let base = (j - start) * D4;
          for (var c = 0; c < D4; c++) { qk += f32(dot(q[c], kTile[base + c])); }
          scores[j - start] = qk;
          tileMax = max(tileMax, qk);
        }
        let mNew = max(m, tileMax);
        let correction = exp(m - mNew);
        l *= correction;
        for (var c = 0; c < D4; c++) { acc[c] *= correction; }
        for (var j = start; j < end; j++) {
          let p = exp(scores[j - start] - mNew);
          l += p;
          let p16 = f16(p);
          let base = (j - start) * D4;
          for (var c = 0; c < D4; c++) { acc[c] += vec4<f32>(p16 * vTile[base + c]); }
        }
        m = mNew;
      }
      workgroupBarrier();
    }
    if (valid) {
      let outBase = (bh * t + row) * (D + 1);
      for (var c = 0; c < D; c++) { result[outBase + c] = acc[c / 4][c % 4] / l; }
      result[outBase + D] = m + log(l);
    }
  }`;
  return program(
    `llmkitAttentionF16_${d}_${tile}`,
    ['Q', 'K', 'V'],
    [bh, t, d + 1],
    Math.ceil(t / ROWS),
    bh,
    code,
  );
}
