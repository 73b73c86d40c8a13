import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { vendorTfjsGradients } from '../../scripts/vendorTfjsGradients.js';
import { tf } from './engine.js';

describe('tfjsGradients.js', () => {
  it('is what scripts/vendorTfjsGradients.ts makes from the installed tfjs-core', async () => {
    const committed = readFileSync(new URL('./tfjsGradients.js', import.meta.url), 'utf8');
    expect(committed === (await vendorTfjsGradients())).toBe(true);
  });

  it('imports tfjs-core only through its public entry point', () => {
    const source = readFileSync(new URL('./tfjsGradients.js', import.meta.url), 'utf8');
    const imports = [...source.matchAll(/^import .* from (['"])(.+)\1;$/gm)].map((m) => m[2]);
    expect(imports).toEqual(['@tensorflow/tfjs-core']);
  });

  it('registers a gradient for the kernels a transformer differentiates through', () => {
    const kernels = ['BatchMatMul', 'GatherV2', 'Softmax', 'Erf', 'Rsqrt', 'Sum', 'Max', 'Select'];
    for (const name of kernels) expect(tf.getGradient(name), name).toBeDefined();
  });
});
