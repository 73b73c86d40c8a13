/**
 * A resumed run continues bit for bit: weights, optimizer moments, learning-rate schedule,
 * dropout and data position all come back. A failed or interrupted save leaves the previous
 * checkpoint whole, and NaN weights are never written.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdamW, ops, warmupCosineSchedule } from '@llmkit/tensor-gpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWeights, startCompute } from '../test/models.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { TokenBatches, type TokenBatchesState } from './tokenBatches.js';
import { trainStep } from './trainStep.js';
import { Transformer } from './transformer.js';

const text = 'it was the best of times, it was the worst of times, it was the age of wisdom';
const alphabet = [...new Set(text)].sort();
const tokens = [...text].map((c) => alphabet.indexOf(c));
const config = {
  vocabSize: alphabet.length,
  contextLength: 16,
  layers: 2,
  width: 16,
  heads: 2,
  dropout: 0.2,
};

let scratch: string;
beforeAll(async () => {
  await startCompute();
  scratch = await mkdtemp(join(tmpdir(), 'llmkit-checkpoint-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** A fresh run: model, optimizer with a schedule, and a seeded batch stream. */
function run(seed: number) {
  const model = new Transformer(config, { seed });
  const schedule = warmupCosineSchedule({ peakLearningRate: 3e-3, warmupSteps: 2, totalSteps: 8 });
  const optimizer = new AdamW(model.parameters(), { learningRate: schedule, weightDecay: 0.1 });
  const data = new TokenBatches(tokens, { batchSize: 2, sequenceLength: 12, seed: seed + 1 });
  return { model, optimizer, data };
}

describe('saveCheckpoint / loadCheckpoint', () => {
  it('resume bit for bit: the same losses and the same final weights', async () => {
    // Arrange: an uninterrupted run of 6 steps, checkpointed after step 3.
    const a = run(1);
    const lossesA: number[] = [];
    const directory = join(scratch, 'resume');
    for (let step = 1; step <= 6; step++) {
      lossesA.push((await trainStep(a.model, a.optimizer, a.data.next())).loss);
      if (step === 3) await saveCheckpoint(directory, a, { step, data: a.data.state() });
    }
    // Act: a new process-like run from other seeds, restored from the checkpoint.
    const b = run(99);
    const restored = await loadCheckpoint(directory, b);
    b.data.restore(restored.data as TokenBatchesState);
    const lossesB: number[] = [];
    for (let step = restored.step + 1; step <= 6; step++) {
      lossesB.push((await trainStep(b.model, b.optimizer, b.data.next())).loss);
    }
    // Assert
    expect(restored.step).toBe(3);
    expect(b.optimizer.stepCount).toBe(6);
    expect(lossesB).toEqual(lossesA.slice(3));
    const weightsA = readWeights(a.model.parameters());
    for (const [name, values] of readWeights(b.model.parameters()))
      expect(values, name).toEqual(weightsA.get(name));
    for (const r of [a, b]) {
      r.optimizer.dispose();
      r.model.dispose();
    }
  });

  it('keeps the previous checkpoint when a save is interrupted or refused', async () => {
    const { model, optimizer, data } = run(5);
    const directory = join(scratch, 'safe');
    await trainStep(model, optimizer, data.next());
    await saveCheckpoint(directory, { model, optimizer }, { step: 1, data: data.state() });
    // A save that dies after writing its weights leaves a stray file; the manifest still names step 1.
    await writeFile(join(directory, 'model-00000002.safetensors'), 'partial');
    const controller = new AbortController();
    controller.abort();
    await expect(
      saveCheckpoint(directory, { model, optimizer }, { step: 2 }, { signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    // NaN weights are refused before anything is written.
    const gain = model.parameters()['transformer.ln_f.weight']!;
    const good = gain.dataSync().slice();
    gain.assign(ops.fill(gain.shape, Number.NaN));
    await expect(saveCheckpoint(directory, { model, optimizer }, { step: 2 })).rejects.toThrow(
      /1 parameter\(s\) hold NaN or ±Infinity \(transformer.ln_f.weight\); nothing was written/,
    );
    gain.assign(ops.tensor(good, gain.shape));
    const fresh = run(6);
    expect((await loadCheckpoint(directory, fresh)).step).toBe(1);
    // The next good save replaces step 1 and clears the stray file.
    await saveCheckpoint(directory, { model, optimizer }, { step: 3 });
    expect((await readdir(directory)).sort()).toEqual([
      'checkpoint.json',
      'model-00000003.safetensors',
      'optimizer-00000003.safetensors',
    ]);
    for (const m of [model, fresh.model]) m.dispose();
    optimizer.dispose();
    fresh.optimizer.dispose();
  });

  it('lists every config difference of a checkpoint from another model', async () => {
    const { model, optimizer } = run(7);
    const directory = join(scratch, 'other');
    await saveCheckpoint(directory, { model, optimizer }, { step: 0 });
    const other = new Transformer({ ...config, width: 24, layers: 3 }, { seed: 1 });
    const otherOptimizer = new AdamW(other.parameters(), { learningRate: 1e-3 });
    await expect(
      loadCheckpoint(directory, { model: other, optimizer: otherOptimizer }),
    ).rejects.toThrow(
      /4 differences\): layers: checkpoint 2 ≠ model 3; width: checkpoint 16 ≠ model 24; headDim: checkpoint 8 ≠ model 12; mlpWidth: checkpoint 64 ≠ model 96\./,
    );
    for (const m of [model, other]) m.dispose();
    optimizer.dispose();
    otherOptimizer.dispose();
  });
});
