/**
 * A model as a Hugging Face model directory: `model.safetensors` (Hugging Face names and
 * layouts, `format: pt`) and `config.json` (the `GPT2LMHeadModel` or `LlamaForCausalLM` config
 * when one computes the same model, plus this package's own config under `llmkit_config`), so
 * `AutoModelForCausalLM.from_pretrained(directory)` loads what this package saves, and
 * {@link loadModel} loads what transformers saves (sharded checkpoints with
 * `model.safetensors.index.json` included). Node only (`@llmkit/transformer/node`).
 */
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { dispose, type NamedTensors, type SafetensorsFloatDtype } from '@llmkit/tensor-gpu';
import { loadSafetensorsFile, saveSafetensorsFile, writeFileAtomic } from '@llmkit/tensor-gpu/node';
import { configToJson, resolveConfig, type TransformerConfig } from './config.js';
import { TransformerError } from './errors.js';
import {
  fromHuggingFaceConfig,
  type HuggingFaceConfig,
  toHuggingFaceConfig,
} from './huggingFaceConfig.js';
import { readJson } from './internal/files.js';
import { loadWeights } from './loadWeights.js';
import { Transformer } from './transformer.js';

/** Options of {@link saveModel}. @public */
export interface SaveModelOptions {
  /** Storage type of the weights. @defaultValue 'F32' */
  readonly floatDtype?: SafetensorsFloatDtype;
  /** Cancels the write; files already in place are left as they were. */
  readonly signal?: AbortSignal;
}

/** Options of {@link loadModel}. @public */
export interface LoadModelOptions {
  /** Seed of the model's dropout generator. @defaultValue 0 */
  readonly seed?: number;
  readonly signal?: AbortSignal;
}

/** The `config.json` written for a config: the Hugging Face fields when they exist, and ours. */
function configFile(config: TransformerConfig): HuggingFaceConfig {
  const ours = configToJson(resolveConfig(config, 'saveModel'));

  let huggingFace: HuggingFaceConfig = {};
  try {
    huggingFace = { ...toHuggingFaceConfig(config), torch_dtype: 'float32' };
  } catch {
    // No Hugging Face class computes this model; the file holds our config only.
  }
  return { ...huggingFace, llmkit_config: ours };
}

/**
 * Saves weights and config into `directory` (created if needed); each file is written
 * atomically.
 * @example
 * ```ts
 * await saveModel('out/tiny', model); // then in Python: AutoModelForCausalLM.from_pretrained('out/tiny')
 * ```
 * @public
 */
export async function saveModel(
  directory: string,
  model: Transformer,
  options: SaveModelOptions = {},
): Promise<void> {
  await mkdir(directory, { recursive: true });
  const weights = join(directory, 'model.safetensors');
  await saveSafetensorsFile(weights, model.parameters(), {
    floatDtype: options.floatDtype ?? 'F32',
    metadata: { format: 'pt' },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const json = `${JSON.stringify(configFile(model.config), null, 2)}\n`;
  await writeFileAtomic(
    join(directory, 'config.json'),
    [new TextEncoder().encode(json)],
    options.signal ? { signal: options.signal } : {},
  );
}

/** The weight files of a directory: one `model.safetensors`, or the shards an index lists. */
async function weightFiles(fn: string, directory: string): Promise<string[]> {
  const index = join(directory, 'model.safetensors.index.json');
  const exists = await access(index).then(
    () => true,
    () => false,
  );
  if (!exists) return [join(directory, 'model.safetensors')];
  const map = (await readJson(fn, index)).weight_map;
  if (typeof map !== 'object' || map === null) {
    throw new TransformerError({
      code: 'CORRUPT_DATA',
      fn,
      argument: 'directory',
      detail: `${index} has no weight_map.`,
    });
  }
  return [...new Set(Object.values(map as Record<string, string>))].map((file) =>
    join(directory, file),
  );
}

/**
 * Loads a model saved by {@link saveModel} or by Hugging Face transformers (GPT-2 or Llama).
 * @throws TransformerError when the config cannot be honoured or the weights do not fit it
 *   (every mismatch listed).
 * @public
 */
export async function loadModel(
  directory: string,
  options: LoadModelOptions = {},
): Promise<Transformer> {
  const fn = 'loadModel';
  const json = await readJson(fn, join(directory, 'config.json'));
  const config =
    (json.llmkit_config as TransformerConfig | undefined) ?? fromHuggingFaceConfig(json);
  const model = new Transformer(config, { initialize: false, seed: options.seed ?? 0 });
  const tensors: NamedTensors = {};
  try {
    for (const file of await weightFiles(fn, directory)) {
      const loaded = await loadSafetensorsFile(
        file,
        options.signal ? { signal: options.signal } : {},
      );
      Object.assign(tensors, loaded.tensors);
    }
    loadWeights(model, tensors);
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    dispose(Object.values(tensors));
  }
  return model;
}
