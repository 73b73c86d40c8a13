/**
 * WGSL kernels for the backward of causal attention, FlashAttention-2's split (Dao 2023,
 * arXiv:2307.08691, Algorithm 2 and §3.2): D = rowsum(dO ∘ O) comes in precomputed, one kernel
 * computes dK and dV per block of keys (streaming the queries that see them) and one computes dQ
 * per block of queries (streaming the keys they see), so no two workgroups write the same output
 * and no atomics are needed. Probabilities are recomputed from the saved row log-sum-exp.
 *
 * Both kernels work like a tiled matrix product rather than one row per invocation: 64
 * invocations (an 8 × 8 grid) share each tile through workgroup memory, and each owns a small
 * block of the score tile (first phase: S = scale·Q·Kᵀ and dP = dO·Vᵀ, accumulated over
 * {@link SCORE_CHUNK}-column slices of the head) and a block of the outputs (second phase:
 * dV += Pᵀ·dO and dK += dSᵀ·Q, or dQ += dS·K, over {@link OUTPUT_CHUNK}-column slices), so every
 * value read from workgroup memory feeds several multiply-adds and an invocation holds at most
 * 64 accumulators whatever the head size (blocks shrink as D grows). Workgroup memory stays under
 * WebGPU's guaranteed 16 KiB. Padded rows and columns are zeros, so they add nothing.
 */
import { type AttentionProgram, GRAD_INPUTS, program } from './attentionShaders.js';

/** Columns of Q, K, V, dO per slice while scores accumulate. */
const SCORE_CHUNK = 16;
/** Columns of Q, dO (or K) per slice while the outputs accumulate: 4 per invocation. */
const OUTPUT_CHUNK = 32;
/** Invocations per workgroup, an 8 × 8 grid: x = localIndex % 8, y = localIndex / 8. */
const INVOCATIONS = 64;

/** Rows of the owned side per invocation (keys for dK/dV, queries for dQ): ≤ 64 accumulators. */
const rowsPerInvocation = (d: number): number => (d <= 64 ? 4 : d <= 128 ? 2 : 1);

/** Output columns per invocation: 4 per {@link OUTPUT_CHUNK}-column slice. */
const columnsPerInvocation = (d: number): number => 4 * Math.ceil(d / OUTPUT_CHUNK);

/** WGSL declarations shared by both kernels. */
function header(d: number): string {
  return `
  const D = ${d};
  const DC = ${SCORE_CHUNK};
  const DCP = ${SCORE_CHUNK + 1};
  const OC = ${OUTPUT_CHUNK};
  const OCP = ${OUTPUT_CHUNK + 1};
  const CPT = ${columnsPerInvocation(d)};`;
}

/**
 * WGSL that copies rows [first, first + count) of one or two [BH, n, D] inputs, columns
 * [c0, c0 + width), into workgroup array `target` as blocks of count × pitch floats, one per
 * input (zeros outside the input; the first input times the scale when asked).
 */
function loadSlice(
  target: string,
  names: readonly string[],
  scaleFirst: boolean,
  rows: { first: string; count: string; n: string },
  width: string,
  pitch: string,
): string {
  const reads = names.map(
    (name, k) => `v${k} = ${name}[index]${k === 0 && scaleFirst ? ' * uniforms.scale' : ''};`,
  );
  const writes = names.map(
    (_, k) =>
      `${target}[${k === 0 ? '' : `${k} * ${rows.count} * ${pitch} + `}r * ${pitch} + e % ${width}] = v${k};`,
  );
  return `
    for (var e = tid; e < ${rows.count} * ${width}; e += ${INVOCATIONS}) {
      let r = e / ${width};
      let c = c0 + e % ${width};
      let row = ${rows.first} + r;
      ${names.map((_, k) => `var v${k} = 0.0;`).join(' ')}
      if (row < ${rows.n} && c < D) {
        let index = (bh * ${rows.n} + row) * D + c;
        ${reads.join(' ')}
      }
      ${writes.join(' ')}
    }`;
}

/**
 * dK and dV: output [BH, S, 2D] (dK then dV per key row). A workgroup owns BK = 8·KB keys;
 * invocation (x, y) owns keys x + 8b (b < KB) and columns y + 8m (m < CPT). Query tiles of
 * BQ = 16 rows stream past; the invocation scores queries y + 8a (a < 2) against its keys.
 */
export function gradKVProgram(bh: number, s: number, d: number): AttentionProgram {
  const kb = rowsPerInvocation(d);
  const bk = 8 * kb;
  const bq = 16;
  const code = `${header(d)}
  const KB = ${kb};
  const BK = ${bk};
  const BQ = ${bq};
  var<workgroup> queries : array<f32, ${2 * bq * Math.max(SCORE_CHUNK + 1, OUTPUT_CHUNK + 1)}>;
  var<workgroup> keys : array<f32, ${2 * bk * (SCORE_CHUNK + 1)}>;
  var<workgroup> pTile : array<f32, ${bq * bk}>;
  var<workgroup> dsTile : array<f32, ${bq * bk}>;
  var<workgroup> lseTile : array<f32, BQ>;
  var<workgroup> deltaTile : array<f32, BQ>;
  var<workgroup> bound : i32;

  fn main() {
    let bh = i32(workgroupId.z);
    let t = uniforms.qShape.y;
    let s = uniforms.kShape.y;
    let offset = s - t;
    let tid = i32(localIndex);
    let x = tid % 8;
    let y = tid / 8;
    // The head size read at run time: nothing in the score loops indexes per-invocation arrays
    // by column, so compilers need not unroll them (unrolled, they multiply compile time).
    let width = uniforms.qShape.z;
    let k0 = i32(workgroupId.y) * BK;
    var dk : array<f32, KB * CPT>;
    var dv : array<f32, KB * CPT>;
    // The first query that sees the block's first key, made provably uniform for the barriers.
    if (tid == 0) { bound = max(k0 - offset, 0); }
    let firstQuery = workgroupUniformLoad(&bound);
    for (var q0 = firstQuery; q0 < t; q0 += BQ) {
      if (tid < BQ && q0 + tid < t) {
        lseTile[tid] = L[bh * t + q0 + tid];
        deltaTile[tid] = Delta[bh * t + q0 + tid];
      }
      // Explicitly zeroed: not every compiler re-initialises a declaration inside a loop.
      var score = array<f32, 2 * KB>();
      var dp = array<f32, 2 * KB>();
      for (var c0 = 0; c0 < width; c0 += DC) {
        ${loadSlice('queries', ['Q', 'DO'], true, { first: 'q0', count: 'BQ', n: 't' }, 'DC', 'DCP')}
        ${loadSlice('keys', ['K', 'V'], false, { first: 'k0', count: 'BK', n: 's' }, 'DC', 'DCP')}
        workgroupBarrier();
        for (var c = 0; c < min(DC, width - c0); c++) {
          var kc : array<f32, KB>;
          var vc : array<f32, KB>;
          for (var b = 0; b < KB; b++) {
            kc[b] = keys[(x + 8 * b) * DCP + c];
            vc[b] = keys[BK * DCP + (x + 8 * b) * DCP + c];
          }
          for (var a = 0; a < 2; a++) {
            let qa = queries[(y + 8 * a) * DCP + c];
            let da = queries[BQ * DCP + (y + 8 * a) * DCP + c];
            for (var b = 0; b < KB; b++) {
              score[a * KB + b] += qa * kc[b];
              dp[a * KB + b] += da * vc[b];
            }
          }
        }
        workgroupBarrier();
      }
      for (var a = 0; a < 2; a++) {
        let i = q0 + y + 8 * a;
        for (var b = 0; b < KB; b++) {
          let j = k0 + x + 8 * b;
          var p = 0.0;
          var ds = 0.0;
          if (i < t && j <= i + offset) {
            p = exp(score[a * KB + b] - lseTile[y + 8 * a]);
            ds = p * (dp[a * KB + b] - deltaTile[y + 8 * a]);
          }
          pTile[(y + 8 * a) * BK + x + 8 * b] = p;
          dsTile[(y + 8 * a) * BK + x + 8 * b] = ds;
        }
      }
      for (var c0 = 0; c0 < D; c0 += OC) {
        ${loadSlice('queries', ['Q', 'DO'], true, { first: 'q0', count: 'BQ', n: 't' }, 'OC', 'OCP')}
        workgroupBarrier();
        for (var r = 0; r < min(BQ, t - q0); r++) {
          var pr : array<f32, KB>;
          var dsr : array<f32, KB>;
          for (var b = 0; b < KB; b++) {
            pr[b] = pTile[r * BK + x + 8 * b];
            dsr[b] = dsTile[r * BK + x + 8 * b];
          }
          for (var m = 0; m < 4; m++) {
            let qc = queries[r * OCP + y + 8 * m];
            let dc = queries[BQ * OCP + r * OCP + y + 8 * m];
            let slot = c0 / 8 + m;
            for (var b = 0; b < KB; b++) {
              dv[b * CPT + slot] += pr[b] * dc;
              dk[b * CPT + slot] += dsr[b] * qc;
            }
          }
        }
        workgroupBarrier();
      }
    }
    for (var b = 0; b < KB; b++) {
      let j = k0 + x + 8 * b;
      for (var slot = 0; slot < CPT; slot++) {
        let c = (slot / 4) * OC + y + 8 * (slot % 4);
        if (j < s && c < D) {
          let outBase = (bh * s + j) * 2 * D;
          result[outBase + c] = dk[b * CPT + slot];
          result[outBase + D + c] = dv[b * CPT + slot];
        }
      }
    }
  }`;
  return program(
    `llmkitAttentionGradKV2_${d}`,
    GRAD_INPUTS,
    [bh, s, 2 * d],
    Math.ceil(s / bk),
    bh,
    code,
    INVOCATIONS,
  );
}

/**
 * dQ: output [BH, T, D]. A workgroup owns BQ = 8·QB queries; invocation (x, y) owns queries
 * x + 8b (b < QB) and columns y + 8m (m < CPT). Key tiles of BK = 16 rows stream past; the
 * invocation scores its queries against keys y + 8a (a < 2).
 */
export function gradQProgram(bh: number, t: number, d: number): AttentionProgram {
  const qb = rowsPerInvocation(d);
  const bq = 8 * qb;
  const bk = 16;
  const code = `${header(d)}
  const QB = ${qb};
  const BQ = ${bq};
  const BK = ${bk};
  var<workgroup> queries : array<f32, ${2 * bq * (SCORE_CHUNK + 1)}>;
  var<workgroup> keys : array<f32, ${2 * bk * Math.max(SCORE_CHUNK + 1, OUTPUT_CHUNK + 1)}>;
  var<workgroup> dsTile : array<f32, ${bk * bq}>;
  var<workgroup> bound : i32;

  fn main() {
    let bh = i32(workgroupId.z);
    let t = uniforms.qShape.y;
    let s = uniforms.kShape.y;
    let offset = s - t;
    let tid = i32(localIndex);
    let x = tid % 8;
    let y = tid / 8;
    // The head size read at run time: nothing in the score loops indexes per-invocation arrays
    // by column, so compilers need not unroll them (unrolled, they multiply compile time).
    let width = uniforms.qShape.z;
    let q0 = i32(workgroupId.y) * BQ;
    var lse : array<f32, QB>;
    var delta : array<f32, QB>;
    for (var b = 0; b < QB; b++) {
      let i = q0 + x + 8 * b;
      if (i < t) {
        lse[b] = L[bh * t + i];
        delta[b] = Delta[bh * t + i];
      }
    }
    var dq : array<f32, QB * CPT>;
    // Keys visible to the block's last query, made provably uniform for the barriers below.
    if (tid == 0) { bound = min(q0 + BQ, t) + offset; }
    let keyEnd = workgroupUniformLoad(&bound);
    for (var k0 = 0; k0 < keyEnd; k0 += BK) {
      // Explicitly zeroed: not every compiler re-initialises a declaration inside a loop.
      var score = array<f32, 2 * QB>();
      var dp = array<f32, 2 * QB>();
      for (var c0 = 0; c0 < width; c0 += DC) {
        ${loadSlice('queries', ['Q', 'DO'], true, { first: 'q0', count: 'BQ', n: 't' }, 'DC', 'DCP')}
        ${loadSlice('keys', ['K', 'V'], false, { first: 'k0', count: 'BK', n: 's' }, 'DC', 'DCP')}
        workgroupBarrier();
        for (var c = 0; c < min(DC, width - c0); c++) {
          var qc : array<f32, QB>;
          var dc : array<f32, QB>;
          for (var b = 0; b < QB; b++) {
            qc[b] = queries[(x + 8 * b) * DCP + c];
            dc[b] = queries[BQ * DCP + (x + 8 * b) * DCP + c];
          }
          for (var a = 0; a < 2; a++) {
            let ka = keys[(y + 8 * a) * DCP + c];
            let va = keys[BK * DCP + (y + 8 * a) * DCP + c];
            for (var b = 0; b < QB; b++) {
              score[a * QB + b] += qc[b] * ka;
              dp[a * QB + b] += dc[b] * va;
            }
          }
        }
        workgroupBarrier();
      }
      for (var a = 0; a < 2; a++) {
        let j = k0 + y + 8 * a;
        for (var b = 0; b < QB; b++) {
          let i = q0 + x + 8 * b;
          var ds = 0.0;
          if (i < t && j <= i + offset) {
            ds = exp(score[a * QB + b] - lse[b]) * (dp[a * QB + b] - delta[b]);
          }
          dsTile[(y + 8 * a) * BQ + x + 8 * b] = ds;
        }
      }
      for (var c0 = 0; c0 < D; c0 += OC) {
        ${loadSlice('keys', ['K'], false, { first: 'k0', count: 'BK', n: 's' }, 'OC', 'OCP')}
        workgroupBarrier();
        for (var r = 0; r < min(BK, keyEnd - k0); r++) {
          var dsr : array<f32, QB>;
          for (var b = 0; b < QB; b++) { dsr[b] = dsTile[r * BQ + x + 8 * b]; }
          for (var m = 0; m < 4; m++) {
            let kc = keys[r * OCP + y + 8 * m];
            let slot = c0 / 8 + m;
            for (var b = 0; b < QB; b++) { dq[b * CPT + slot] += dsr[b] * kc; }
          }
        }
        workgroupBarrier();
      }
    }
    for (var b = 0; b < QB; b++) {
      let i = q0 + x + 8 * b;
      for (var slot = 0; slot < CPT; slot++) {
        let c = (slot / 4) * OC + y + 8 * (slot % 4);
        if (i < t && c < D) {
          result[(bh * t + i) * D + c] = dq[b * CPT + slot] * uniforms.scale;
        }
      }
    }
  }`;
  return program(
    `llmkitAttentionGradQ2_${d}`,
    GRAD_INPUTS,
    [bh, t, d],
    Math.ceil(t / bq),
    bh,
    code,
    INVOCATIONS,
  );
}
