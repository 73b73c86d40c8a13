/**
 * WGSL kernels for causal attention on tfjs's WebGPU backend, FlashAttention-style: the [T, S]
 * score matrix is never written to memory. Each workgroup owns a block of rows (queries forward
 * and for dQ, keys for dK/dV), one row per invocation, and streams the other side through
 * workgroup memory in tiles; softmax is computed online — a running maximum and sum per row,
 * the accumulator rescaled once per tile (Dao 2023, FlashAttention-2, arXiv:2307.08691,
 * Algorithm 1) — and the backward recomputes probabilities from the saved row log-sum-exp
 * (Algorithm 2, split into a dQ pass and a dK/dV pass so no atomics are needed).
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
const GRAD_INPUTS = ['Q', 'K', 'V', 'DO', 'L', 'Delta'];

function program(
  name: string,
  variableNames: string[],
  outputShape: number[],
  blocks: number,
  bh: number,
  code: string,
): AttentionProgram {
  return {
    variableNames,
    outputShape,
    shaderKey: name,
    // Three axes in the layout keep tfjs from generating a flat-index `main`.
    dispatchLayout: { x: [2], y: [1], z: [0] },
    dispatch: [1, blocks, bh],
    workgroupSize: [ROWS, 1, 1],
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

/** dQ: output [BH, T, D]; each invocation one query row, keys streamed in tiles. */
export function gradQProgram(bh: number, t: number, d: number): AttentionProgram {
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
    var dO : array<f32, D>;
    var dq : array<f32, D>;
    var lse = 0.0;
    var delta = 0.0;
    if (valid) {
      let base = (bh * t + row) * D;
      for (var c = 0; c < D; c++) {
        q[c] = Q[base + c] * uniforms.scale;
        dO[c] = DO[base + c];
      }
      lse = L[bh * t + row];
      delta = Delta[bh * t + row];
    }
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
      if (valid) {
        for (var j = start; j < end; j++) {
          let base = (j - start) * D;
          var score = 0.0;
          var dp = 0.0;
          for (var c = 0; c < D; c++) {
            score += q[c] * kTile[base + c];
            dp += dO[c] * vTile[base + c];
          }
          let ds = exp(score - lse) * (dp - delta);
          for (var c = 0; c < D; c++) { dq[c] += ds * kTile[base + c]; }
        }
      }
      workgroupBarrier();
    }
    if (valid) {
      let outBase = (bh * t + row) * D;
      for (var c = 0; c < D; c++) { result[outBase + c] = dq[c] * uniforms.scale; }
    }
  }`;
  return program(
    `llmkitAttentionGradQ_${d}_${tile}`,
    GRAD_INPUTS,
    [bh, t, d],
    Math.ceil(t / ROWS),
    bh,
    code,
  );
}

/**
 * dK and dV: output [BH, S, 2D] (dK then dV per key row); each invocation one key row, queries
 * (with dO, log-sum-exp and rowsum(dO ∘ O)) streamed in tiles.
 */
export function gradKVProgram(bh: number, s: number, d: number): AttentionProgram {
  const tile = Math.max(1, Math.min(32, Math.floor(WORKGROUP_BYTES / (4 * (2 * d + 2)))));
  const code = `
  const D = ${d};
  const ROWS = ${ROWS};
  const TILE = ${tile};
  var<workgroup> qTile : array<f32, ${tile * d}>;
  var<workgroup> dOTile : array<f32, ${tile * d}>;
  var<workgroup> lseTile : array<f32, TILE>;
  var<workgroup> deltaTile : array<f32, TILE>;
  var<workgroup> bound : i32;

  fn main() {
    let bh = i32(workgroupId.z);
    let t = uniforms.qShape.y;
    let s = uniforms.kShape.y;
    let offset = s - t;
    let tid = i32(localId.x);
    let key = i32(workgroupId.y) * ROWS + tid;
    let valid = key < s;
    var k : array<f32, D>;
    var v : array<f32, D>;
    var dk : array<f32, D>;
    var dv : array<f32, D>;
    if (valid) {
      let base = (bh * s + key) * D;
      for (var c = 0; c < D; c++) {
        k[c] = K[base + c];
        v[c] = V[base + c];
      }
    }
    // The first query that sees the block's first key, made provably uniform for the barriers.
    if (tid == 0) { bound = max(i32(workgroupId.y) * ROWS - offset, 0); }
    let firstQuery = workgroupUniformLoad(&bound);
    for (var start = firstQuery; start < t; start += TILE) {
      for (var e = tid; e < TILE * D; e += ROWS) {
        let i = start + e / D;
        if (i < t) {
          let index = (bh * t + i) * D + e % D;
          qTile[e] = Q[index] * uniforms.scale;
          dOTile[e] = DO[index];
        }
      }
      for (var e = tid; e < TILE; e += ROWS) {
        if (start + e < t) {
          lseTile[e] = L[bh * t + start + e];
          deltaTile[e] = Delta[bh * t + start + e];
        }
      }
      workgroupBarrier();
      if (valid) {
        let i0 = max(start, key - offset);
        let end = min(start + TILE, t);
        for (var i = i0; i < end; i++) {
          let base = (i - start) * D;
          var score = 0.0;
          var dp = 0.0;
          for (var c = 0; c < D; c++) {
            score += qTile[base + c] * k[c];
            dp += dOTile[base + c] * v[c];
          }
          let p = exp(score - lseTile[i - start]);
          let ds = p * (dp - deltaTile[i - start]);
          for (var c = 0; c < D; c++) {
            dv[c] += p * dOTile[base + c];
            dk[c] += ds * qTile[base + c];
          }
        }
      }
      workgroupBarrier();
    }
    if (valid) {
      let outBase = (bh * s + key) * 2 * D;
      for (var c = 0; c < D; c++) {
        result[outBase + c] = dk[c];
        result[outBase + D + c] = dv[c];
      }
    }
  }`;
  return program(
    `llmkitAttentionGradKV_${d}_${tile}`,
    GRAD_INPUTS,
    [bh, s, 2 * d],
    Math.ceil(s / ROWS),
    bh,
    code,
  );
}
