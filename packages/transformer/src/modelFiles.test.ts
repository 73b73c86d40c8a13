/**
 * Hugging Face transformers as the outside reference, both ways (`test/fixtures/huggingface_golden.py`):
 * models saved by transformers load here with the same logits and loss, and models saved here
 * load in transformers (every tensor used, nothing re-initialised) with the same logits.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dispose, loadSafetensors, saveSafetensors } from '@llmkit/tensor-gpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOLDEN_IDS, goldenModels, maxAbsDiff, SMALL_GPT2, startCompute } from '../test/models.js';
import type { TransformerError } from './errors.js';
import { loadWeights } from './loadWeights.js';
import { loadModel, saveModel } from './modelFiles.js';
import { Transformer } from './transformer.js';

const fixtures = new URL('../test/fixtures/', import.meta.url);
const golden = JSON.parse(
  await readFile(new URL('huggingface_golden.json', fixtures), 'utf8'),
) as Record<string, { logits: number[]; loss: number }>;

let scratch: string;
beforeAll(async () => {
  await startCompute();
  scratch = await mkdtemp(join(tmpdir(), 'llmkit-transformer-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

function expectGolden(model: Transformer, name: string): void {
  const ids = GOLDEN_IDS.map((row) => [...row]);
  const logits = model.forward(ids);
  expect(maxAbsDiff(logits.dataSync(), golden[name]!.logits)).toBeLessThan(1e-4);
  logits.dispose();
  const { loss } = model.loss(
    ids.map((row) => row.slice(0, -1)),
    ids.map((row) => row.slice(1)),
  );
  expect(loss.dataSync()[0]!).toBeCloseTo(golden[name]!.loss, 5);
  loss.dispose();
}

describe.each(['gpt2', 'llama'])('Hugging Face %s checkpoints', (kind) => {
  it('saved by transformers load here with its logits and loss', async () => {
    const model = await loadModel(new URL(`hf-${kind}/`, fixtures).pathname);
    expect(model.config.naming).toBe(kind);
    expectGolden(model, `hf-${kind}`);
    model.dispose();
  });

  it('saved here load in transformers with the same logits (and are saved as pinned)', async () => {
    const model = goldenModels()[`llmkit-${kind}` as 'llmkit-gpt2' | 'llmkit-llama'];
    expectGolden(model, `llmkit-${kind}`);
    const directory = join(scratch, kind);
    await saveModel(directory, model);
    const pinned = await readFile(new URL(`llmkit-${kind}/model.safetensors`, fixtures));
    expect(Buffer.compare(await readFile(join(directory, 'model.safetensors')), pinned)).toBe(0);
    const config = async (url: URL | string): Promise<unknown> =>
      JSON.parse(await readFile(url, 'utf8'));
    expect(await config(join(directory, 'config.json'))).toEqual(
      await config(new URL(`llmkit-${kind}/config.json`, fixtures)),
    );
    const again = await loadModel(directory);
    expectGolden(again, `llmkit-${kind}`);
    again.dispose();
    model.dispose();
  });
});

describe('loadWeights', () => {
  it('lists every missing, unexpected and misshapen tensor and assigns nothing', async () => {
    const source = new Transformer(SMALL_GPT2, { seed: 1 });
    const target = new Transformer({ ...SMALL_GPT2, width: 24, heads: 4, layers: 3 }, { seed: 2 });
    const before = target.parameters()['transformer.h.0.ln_1.weight']!.dataSync().slice();
    const { tensors } = loadSafetensors(await saveSafetensors(source.parameters()));
    tensors['extra.weight'] = tensors['transformer.ln_f.bias']!;
    let error: TransformerError | undefined;
    try {
      loadWeights(target, tensors);
    } catch (e) {
      error = e as TransformerError;
    }
    expect(error?.code).toBe('SHAPE_MISMATCH');
    const message = error!.message;
    expect(message).toContain('transformer.wte.weight has shape [50,32], the config needs [50,24]');
    expect(message).toContain('missing tensor transformer.h.2.ln_1.weight [24]');
    expect(message).toContain('unexpected tensor extra.weight [32]');
    // All 28 tensors of the source are misshapen, layer 2's 12 are missing, 1 is unexpected.
    expect(message).toContain('(41 problems)');
    expect(target.parameters()['transformer.h.0.ln_1.weight']!.dataSync()).toEqual(before);
    dispose(Object.values(tensors));
    source.dispose();
    target.dispose();
  });

  it('reads GPT-2 files without the transformer. prefix, skipping the causal-mask buffers', async () => {
    const source = new Transformer(SMALL_GPT2, { seed: 3 });
    const bytes = await saveSafetensors(
      Object.fromEntries(
        Object.entries(source.parameters()).map(([name, v]) => [
          name.replace(/^transformer\./, ''),
          v,
        ]),
      ),
    );
    const { tensors } = loadSafetensors(bytes);
    tensors['h.0.attn.bias'] = tensors['ln_f.bias']!;
    const target = new Transformer(SMALL_GPT2, { initialize: false });
    loadWeights(target, tensors);
    expect(target.parameters()['transformer.h.1.mlp.c_fc.weight']!.dataSync()).toEqual(
      source.parameters()['transformer.h.1.mlp.c_fc.weight']!.dataSync(),
    );
    // A separate lm_head is refused by a tied config, unless it repeats the embedding.
    tensors['lm_head.weight'] = tensors['wte.weight']!;
    expect(() => loadWeights(target, tensors)).not.toThrow();
    tensors['lm_head.weight'] = tensors['wpe.weight']!;
    expect(() => loadWeights(target, tensors)).toThrow(/lm_head.weight/);
    dispose(Object.values(tensors));
    source.dispose();
    target.dispose();
  });
});

describe('loadModel', () => {
  it('refuses a directory without config.json, and corrupt JSON, by path', async () => {
    await expect(loadModel(join(scratch, 'absent'))).rejects.toThrow(/cannot read .*config.json/);
    const broken = join(scratch, 'broken');
    await saveModel(broken, new Transformer(SMALL_GPT2, { seed: 4 }));
    await writeFile(join(broken, 'config.json'), '{ not json');
    await expect(loadModel(broken)).rejects.toMatchObject({ code: 'CORRUPT_DATA' });
  });
});
