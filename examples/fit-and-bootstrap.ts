/**
 * A tour of @llmkit/numeric in a few seconds: simulate noisy measurements of a power law,
 * fit it with multi-start L-BFGS, and put a bootstrap interval on the fitted exponent.
 *
 * Run: npm start (or node --conditions=@llmkit/source --import tsx examples/fit-and-bootstrap.ts)
 */
import {
  bootstrap,
  gridPoints,
  huber,
  huberGradient,
  minimizeMultiStart,
  Random,
} from '@llmkit/numeric';

interface Point {
  readonly x: number;
  readonly y: number;
}

// 1. Data: y = 2 + 50·x^(−0.4), measured with 1% multiplicative noise at 24 sizes.
const rng = new Random(2024);
const truth = { offset: 2, scale: 50, exponent: 0.4 };
const points: Point[] = Array.from({ length: 24 }, (_, i) => {
  const x = 10 ** (1 + i / 6);
  const y = (truth.offset + truth.scale * x ** -truth.exponent) * Math.exp(rng.normal(0, 0.01));
  return { x, y };
});

// 2. Fit y = e + a·x^(−α) by Huber loss on log residuals, θ = (log e, log a, α).
function fitPowerLaw(sample: readonly Point[]): Float64Array {
  const objective = (theta: Float64Array, gradient: Float64Array): number => {
    const [logE, logA, alpha] = theta as unknown as [number, number, number];
    gradient.fill(0);
    let total = 0;
    for (const { x, y } of sample) {
      const e = Math.exp(logE);
      const power = Math.exp(logA - alpha * Math.log(x));
      const prediction = e + power;
      const residual = Math.log(prediction) - Math.log(y);
      total += huber(residual, 1e-3);
      const slope = huberGradient(residual, 1e-3) / prediction;
      gradient[0] = (gradient[0] as number) + slope * e;
      gradient[1] = (gradient[1] as number) + slope * power;
      gradient[2] = (gradient[2] as number) - slope * power * Math.log(x);
    }
    return total;
  };
  const starts = gridPoints([
    [0, 1],
    [2, 4, 6],
    [0.1, 0.5, 1],
  ]);
  return minimizeMultiStart({ valueAndGradient: objective }, starts).best.x;
}

const theta = fitPowerLaw(points);
console.log(
  'fitted   e = %s  a = %s  α = %s',
  ...[Math.exp(theta[0] as number), Math.exp(theta[1] as number), theta[2]].map((v) =>
    (v as number).toFixed(4),
  ),
);
console.log(
  'truth    e = %s  a = %s  α = %s',
  ...[truth.offset, truth.scale, truth.exponent].map((v) => v.toFixed(4)),
);

// 3. A 90% percentile-bootstrap interval on α, seeded so it reproduces.
const started = performance.now();
const interval = bootstrap(points, (sample) => fitPowerLaw(sample)[2] as number, {
  rounds: 200,
  seed: 7,
  confidence: 0.9,
});
console.log(
  'α 90%% interval [%s, %s] from %d resamples in %s ms',
  interval.lower.toFixed(4),
  interval.upper.toFixed(4),
  interval.replicates.length,
  (performance.now() - started).toFixed(0),
);
