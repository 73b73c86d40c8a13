/**
 * Rotary position embeddings (Su et al. 2021, "RoFormer", arXiv:2104.09864) in Hugging Face's
 * layout (`modeling_llama.py`, `rotate_half`): dimension i of the first half of a head pairs
 * with dimension i + d/2, rotated by the angle p·θ^(−2i/d) at position p:
 *
 *   out = x·cos + rotate_half(x)·sin,  rotate_half([x₁, x₂]) = [−x₂, x₁].
 *
 * The angles are computed in float32 exactly as transformers computes them (inverse frequencies
 * 1/θ^(2i/d) in float32, products position × frequency in float32), so positions far into the
 * context rotate by the same rounded angles as there.
 */
import { ops, type Tensor } from '@llmkit/tensor-gpu';

/** cos and signed sin of every position, [positions, d] each, built on first use. */
export class RopeTables {
  private readonly cosTable: Float32Array;
  private readonly sinTable: Float32Array;

  constructor(
    readonly headDim: number,
    base: number,
    readonly positions: number,
  ) {
    const half = headDim / 2;
    const inverse = new Float32Array(half);
    for (let i = 0; i < half; i++) {
      const exponent = Math.fround(Math.fround(2 * i) / headDim);
      inverse[i] = Math.fround(1 / Math.fround(base ** exponent));
    }
    this.cosTable = new Float32Array(positions * headDim);
    this.sinTable = new Float32Array(positions * headDim);
    for (let p = 0; p < positions; p++) {
      for (let i = 0; i < half; i++) {
        const angle = Math.fround(p * inverse[i]!);
        const c = Math.cos(angle);
        const s = Math.sin(angle);
        const row = p * headDim;
        this.cosTable[row + i] = c;
        this.cosTable[row + half + i] = c;
        // sin with rotate_half's sign folded in: x·cos + swap(x)·sinSigned.
        this.sinTable[row + i] = -s;
        this.sinTable[row + half + i] = s;
      }
    }
  }

  /** cos and signed sin for the given positions, row-major [B, 1, T, d]. */
  values(positions: Int32Array): { cos: Float32Array; sin: Float32Array } {
    const d = this.headDim;
    const cos = new Float32Array(positions.length * d);
    const sin = new Float32Array(positions.length * d);
    for (let k = 0; k < positions.length; k++) {
      const row = positions[k]! * d;
      cos.set(this.cosTable.subarray(row, row + d), k * d);
      sin.set(this.sinTable.subarray(row, row + d), k * d);
    }
    return { cos, sin };
  }

  /** {@link RopeTables.values} as tensors [B, 1, T, d]. */
  gather(positions: Int32Array, batch: number, length: number): { cos: Tensor; sin: Tensor } {
    const { cos, sin } = this.values(positions);
    const shape = [batch, 1, length, this.headDim];
    return { cos: ops.tensor(cos, shape), sin: ops.tensor(sin, shape) };
  }
}

/** Rotates x [B, H, T, d] by the tables from {@link RopeTables.gather}. */
export function applyRope(x: Tensor, cos: Tensor, sinSigned: Tensor): Tensor {
  const half = x.shape[3]! / 2;
  const [x1, x2] = ops.split(x, [half, half], 3) as [Tensor, Tensor];
  return ops.add(ops.mul(x, cos), ops.mul(ops.concat([x2, x1], 3), sinSigned));
}
