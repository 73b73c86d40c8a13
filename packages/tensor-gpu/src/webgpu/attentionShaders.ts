/**
 * WGSL kernels for causal attention on tfjs's WebGPU backend, FlashAttention-style: the [T, S]
 * score matrix is never written to memory. The forward here: each workgroup owns a block of
 * queries, one per invocation, and streams the keys through workgroup memory in tiles; softmax
 * is computed online — a running maximum and sum per row, the accumulator rescaled once per
 * tile (Dao 2023, FlashAttention-2, arXiv:2307.08691, Algorithm 1). The backward, which
 * recomputes probabilities from the saved row log-sum-exp, is in `attentionBackwardShaders.ts`.
 *
 * Programs follow tfjs-backend-webgpu's `WebGPUProgram` shape; the backend adds the bindings
 * (`result`, one `array<f32>` per variable name) and the `uniforms` struct. Rows live in
 * per-invocation arrays of D floats, so D is capped at {@link MAX_HEAD_SIZE}; tiles are sized to
 * WebGPU's default 16 KiB of workgroup memory.
 */

/** Largest head size the kernels take (larger falls back to the composed operations). */
export const MAX_HEAD_SIZE = 256;
/** Rows per workgroup (one per invocation). */
const ROWS = 32;
/** Bytes of workgroup memory WebGPU guarantees (`maxComputeWorkgroupStorageSize`). */
const WORKGROUP_BYTES = 16384;

/** The fields of tfjs-backend-webgpu's `WebGPUProgram` these kernels use. */
export interface AttentionProgram {
  readonly variableNames: string[];
  readonly outputShape: number[];
  readonly shaderKey: string;
  readonly dispatchLayout: { x: number[]; y: number[]; z: number[] };
  readonly dispatch: [number, number, number];
  readonly workgroupSize: [number, number, number];
  readonly uniforms: string;
  getUserCode(): string;
}

const INPUTS = ['Q', 'K', 'V'];
/** Inputs of the backward kernels (`attentionBackwardShaders.ts`), in this order. */
export const GRAD_INPUTS: readonly string[] = ['Q', 'K', 'V', 'DO', 'L', 'Delta'];

/**
 * A program of `blocks` × `bh` workgroups of `invocations` each, over outputs of `outputShape`,
 * whose inputs are bound under `variableNames`.
 */
export function program(
  name: string,
  variableNames: readonly string[],
  outputShape: number[],
  blocks: number,
  bh: number,
  code: string,
  invocations: number = ROWS,
): AttentionProgram {
  return {
    variableNames: [...variableNames],
    outputShape,
    shaderKey: name,
    // Three axes in the layout keep tfjs from generating a flat-index `main`.
    dispatchLayout: { x: [2], y: [1], z: [0] },
    dispatch: [1, blocks, bh],
    workgroupSize: [invocations, 1, 1],
    uniforms: 'scale : f32,',
    getUserCode: () => code,
  };
}

/** Keys per tile in the forward and dQ passes: K and V tiles of TILE·D floats each. */
const keyTile = (d: number): number =>
  Math.max(1, Math.min(32, Math.floor(WORKGROUP_BYTES / (8 * d))));

/**
 * Forward: output [BH, T, D + 1], the attention output with each row's log-sum-exp of the scaled
 * scores in the last column (kept for the backward).
 */
export function forwardProgram(bh: number, t: number, d: number): AttentionProgram {
  const tile = keyTile(d);
  const code = `
  const D = ${d};
  const ROWS = ${ROWS};
  const TILE = ${tile};
  var<workgroup> kTile : array<f32, ${tile * d}>;
  var<workgroup> vTile : array<f32, ${tile * d}>;
  var<workgroup> bound : i32;

  fn main() {
    let bh = i32(workgroupId.z);
    let t = uniforms.qShape.y;
    let s = uniforms.kShape.y;
    let offset = s - t;
    let tid = i32(localId.x);
    let row = i32(workgroupId.y) * ROWS + tid;
    let valid = row < t;
    var q : array<f32, D>;
    var acc : array<f32, D>;
    if (valid) {
      let base = (bh * t + row) * D;
      for (var c = 0; c < D; c++) { q[c] = Q[base + c] * uniforms.scale; }
    }
    var m = -3.402823e+38;
    var l = 0.0;
    // Keys visible to the block's last query, made provably uniform for the barriers below.
    if (tid == 0) { bound = min(i32(workgroupId.y) * ROWS + ROWS, t) + offset; }
    let keyEnd = workgroupUniformLoad(&bound);
    for (var start = 0; start < keyEnd; start += TILE) {
      for (var e = tid; e < TILE * D; e += ROWS) {
        let j = start + e / D;
        if (j < s) {
          let index = (bh * s + j) * D + e % D;
          kTile[e] = K[index];
          vTile[e] = V[index];
        }
      }
      workgroupBarrier();
      let end = min(start + TILE, row + offset + 1);
      if (valid && end > start) {
        var scores : array<f32, TILE>;
        var tileMax = -3.402823e+38;
        for (var j = start; j < end; j++) {
          var qk = 0.0;
          let base = (j - start) * D;
          for (var c = 0; c < D; c++) { qk += q[c] * kTile[base + c]; }
          scores[j - start] = qk;
          tileMax = max(tileMax, qk);
        }
        let mNew = max(m, tileMax);
        let correction = exp(m - mNew);
        l *= correction;
        for (var c = 0; c < D; c++) { acc[c] *= correction; }
        for (var j = start; j < end; j++) {
          let p = exp(scores[j - start] - mNew);
          l += p;
          let base = (j - start) * D;
          for (var c = 0; c < D; c++) { acc[c] += p * vTile[base + c]; }
        }
        m = mNew;
      }
      workgroupBarrier();
    }
    if (valid) {
      let outBase = (bh * t + row) * (D + 1);
      for (var c = 0; c < D; c++) { result[outBase + c] = acc[c] / l; }
      result[outBase + D] = m + log(l);
    }
  }`;
  return program(
    `llmkitAttention_${d}_${tile}`,
    INPUTS,
    [bh, t, d + 1],
    Math.ceil(t / ROWS),
    bh,
    code,
  );
}
