/**
 * GELU, exact (erf) form: gelu(x) = x·Φ(x) = ½x(1 + erf(x/√2)) (Hendrycks & Gimpel 2016,
 * arXiv:1606.08415; PyTorch's `gelu(approximate='none')`, nanoGPT's MLP), and its derivative
 * gelu'(x) = Φ(x) + x·φ(x) with φ(x) = e^(−x²/2)/√(2π).
 *
 * Fused: the engine composes the forward of four kernels (Mul, Erf, Add, Mul) and the backward of
 * about a dozen, each a pass over memory with a scalar erf or exp in wasm. Here each direction is
 * one ONNX Runtime call (`ortKernel.ts`): com.microsoft.Gelu forward, an eleven-node graph
 * backward, all vectorised. Without ONNX Runtime, `gelu` composes the engine's operations (a
 * JavaScript kernel was measured slower than that composition: erf and exp in scalar JavaScript
 * cost more than the engine's extra passes).
 *
 * `geluReference`/`geluGradReference` are the plain float64 definitions (erf by its Maclaurin
 * series and, for |x| > 2, its continued fraction), the kernels' test oracle.
 */
import type { GradConfig, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from '../internal/engine.js';
import type { OnnxTensor, OnnxValueInfo } from '../onnx/onnxModel.js';
import { type OrtBinding, type OrtKernelFactory, ortKernel } from './ortKernel.js';

export const GELU = 'LlmkitGelu';
export const GELU_GRAD = 'LlmkitGeluGrad';

const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;

/** erf in float64 to ~1e-15: Maclaurin series for |x| ≤ 2, Lentz's continued fraction for erfc beyond. */
export function erfPrecise(x: number): number {
  const a = Math.abs(x);
  if (a <= 2) {
    // erf(x) = 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1)) (Abramowitz & Stegun 7.1.5)
    let term = x;
    let sum = x;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(a) = e^(−a²)/√π · 1/(a + 1/2 /(a + 1/(a + 3/2 /(a + …)))) (A&S 7.1.14), modified Lentz.
  const tiny = 1e-300;
  let f = a;
  let c = a;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    d = a + an * d;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = a + an / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  return x < 0 ? erfc - 1 : 1 - erfc;
}

/** gelu(x) elementwise, in float64. */
export function geluReference(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, (v) => 0.5 * v * (1 + erfPrecise(v * INV_SQRT2)));
}

/** dy · gelu'(x) elementwise, in float64. */
export function geluGradReference(dy: ArrayLike<number>, x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, (v, i) => {
    const cdf = 0.5 * (1 + erfPrecise(v * INV_SQRT2));
    return dy[i]! * (cdf + v * Math.exp(-0.5 * v * v) * INV_SQRT_2PI);
  });
}

const float = (name: string): OnnxValueInfo => ({ name, dataType: 'float32' });
const constant = (name: string, value: number): OnnxTensor => ({
  name,
  dataType: 'float32',
  dims: [],
  data: Float32Array.of(value),
});
const flat = (info: TensorInfo): OrtBinding => ({
  info,
  dims: [info.shape.reduce((a, b) => a * b, 1)],
});

/** Forward: com.microsoft.Gelu, ONNX Runtime's exact-erf GELU. */
export const geluKernel: OrtKernelFactory = ortKernel({
  kernelName: GELU,
  inputs: ['x'],
  outputs: ([x]) => [{ shape: x!.shape, dtype: 'float32' }],
  graph: () => ({
    key: GELU,
    graph: {
      name: 'gelu',
      nodes: [{ opType: 'Gelu', domain: 'com.microsoft', inputs: ['x'], outputs: ['y'] }],
      inputs: [float('x')],
      outputs: [float('y')],
    },
  }),
  bind: ([x], [y]) => ({ feeds: { x: flat(x!) }, fetches: { y: flat(y!) } }),
});

/** Backward: dx = dy · ½(2Φ(x) + 2xφ(x)) with 2Φ = 1 + erf(x/√2), 2xφ = x·e^(−x²/2)·√(2/π). */
export const geluGradKernel: OrtKernelFactory = ortKernel({
  kernelName: GELU_GRAD,
  inputs: ['dy', 'x'],
  outputs: ([dy]) => [{ shape: dy!.shape, dtype: 'float32' }],
  graph: () => ({
    key: GELU_GRAD,
    graph: {
      name: 'gelu_grad',
      nodes: [
        { opType: 'Mul', inputs: ['x', 'inv_sqrt2'], outputs: ['xs'] },
        { opType: 'Erf', inputs: ['xs'], outputs: ['erf'] },
        { opType: 'Add', inputs: ['erf', 'one'], outputs: ['cdf2'] },
        { opType: 'Mul', inputs: ['x', 'x'], outputs: ['x2'] },
        { opType: 'Mul', inputs: ['x2', 'minus_half'], outputs: ['arg'] },
        { opType: 'Exp', inputs: ['arg'], outputs: ['e'] },
        { opType: 'Mul', inputs: ['e', 'x'], outputs: ['xe'] },
        { opType: 'Mul', inputs: ['xe', 'sqrt_2_over_pi'], outputs: ['xpdf2'] },
        { opType: 'Add', inputs: ['cdf2', 'xpdf2'], outputs: ['slope2'] },
        { opType: 'Mul', inputs: ['dy', 'half'], outputs: ['dy_half'] },
        { opType: 'Mul', inputs: ['slope2', 'dy_half'], outputs: ['dx'] },
      ],
      inputs: [float('dy'), float('x')],
      outputs: [float('dx')],
      initializers: [
        constant('inv_sqrt2', INV_SQRT2),
        constant('one', 1),
        constant('minus_half', -0.5),
        constant('sqrt_2_over_pi', 2 * INV_SQRT_2PI),
        constant('half', 0.5),
      ],
    },
  }),
  bind: ([dy, x], [dx]) => ({ feeds: { dy: flat(dy!), x: flat(x!) }, fetches: { dx: flat(dx!) } }),
});

export const geluGradient: GradConfig = {
  kernelName: GELU,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as Tensor[];
    return { x: () => tf.engine().runKernel(GELU_GRAD, { dy: dy as Tensor, x: x! }) as Tensor };
  },
};
