/**
 * Training checkpoints that resume bit for bit: the weights, the optimizer's moments and step
 * counts (hence the learning-rate schedule, a function of the step), the model's dropout
 * generator, any other generators the loop names, and the data position the loop reports.
 *
 * A checkpoint directory holds `model-<step>.safetensors` (Hugging Face names),
 * `optimizer-<step>.safetensors` (`encodeOptimizerState`) and `checkpoint.json`, the manifest
 * naming them. Each file is written atomically and the manifest last, so a process that dies
 * mid-save leaves the previous checkpoint whole; files of older steps are removed only after
 * the new manifest is in place. Weights that are NaN or infinite are refused before anything is
 * written. Node only (`@llmkit/transformer/node`).
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Random, type RandomState } from '@llmkit/numeric';
import {
  decodeOptimizerState,
  encodeOptimizerState,
  type NamedTensors,
  type Optimizer,
  ops,
  type SafetensorsEntry,
  scope,
} from '@llmkit/tensor-gpu';
import {
  openSafetensorsFile,
  saveSafetensorsFile,
  writeFileAtomic,
  writeSafetensorsFile,
} from '@llmkit/tensor-gpu/node';
import {
  configToJson,
  type ResolvedTransformerConfig,
  resolveConfig,
  type TransformerConfig,
} from './config.js';
import { TransformerError } from './errors.js';
import { readJson } from './internal/files.js';
import { loadWeights } from './loadWeights.js';
import type { Transformer } from './transformer.js';

/** What a checkpoint saves besides the model and optimizer. @public */
export interface CheckpointState {
  /** The loop's step count (usually `optimizer.stepCount`). */
  readonly step: number;
  /** Where the data stream stands, JSON-serialisable (e.g. `TokenBatches.state()`). */
  readonly data?: unknown;
  /** Other generators of the loop, by name, restored as new `Random`s. */
  readonly randoms?: Readonly<Record<string, Random>>;
}

/** What {@link loadCheckpoint} restores besides the model and optimizer. @public */
export interface LoadedCheckpoint {
  readonly step: number;
  readonly data: unknown;
  readonly randoms: Record<string, Random>;
}

/** Options of {@link saveCheckpoint}. @public */
export interface SaveCheckpointOptions {
  /** Cancels the save; the previous checkpoint stays. */
  readonly signal?: AbortSignal;
}

interface Manifest {
  readonly format: 'llmkit-checkpoint';
  readonly version: 1;
  readonly step: number;
  readonly model: string;
  readonly optimizer: string;
  readonly config: TransformerConfig;
  readonly modelRandom: RandomState;
  readonly randoms: Record<string, RandomState>;
  readonly data: unknown;
}

const MANIFEST = 'checkpoint.json';

/**
 * Saves a training checkpoint into `directory`.
 * @example
 * ```ts
 * await saveCheckpoint('ckpt', { model, optimizer }, { step: optimizer.stepCount, data: batches.state() });
 * ```
 * @throws TransformerError `NON_FINITE` naming every parameter with NaN or ±Infinity (nothing is written).
 * @public
 */
export async function saveCheckpoint(
  directory: string,
  parts: { readonly model: Transformer; readonly optimizer: Optimizer },
  state: CheckpointState,
  options: SaveCheckpointOptions = {},
): Promise<void> {
  const fn = 'saveCheckpoint';
  const { model, optimizer } = parts;
  const step = state.step;
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new TransformerError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'state.step',
      detail: `expected a count ≥ 0, received ${step}.`,
    });
  }
  const parameters = model.parameters();
  const broken: string[] = [];
  for (const [name, v] of Object.entries(parameters)) {
    const finite = scope(() => ops.all(ops.isFinite(v))); // read asynchronously: WebGPU-safe
    if ((await finite.data())[0] !== 1) broken.push(name);
    finite.dispose();
  }
  if (broken.length > 0) {
    throw new TransformerError({
      code: 'NON_FINITE',
      fn,
      argument: 'parts.model',
      detail: `${broken.length} parameter(s) hold NaN or ±Infinity (${broken.join(', ')}); nothing was written, the previous checkpoint is intact. Resume from it with a lower learning rate.`,
    });
  }
  const signal = options.signal ? { signal: options.signal } : {};
  await mkdir(directory, { recursive: true });
  const tag = String(step).padStart(8, '0');
  const manifest: Manifest = {
    format: 'llmkit-checkpoint',
    version: 1,
    step,
    model: `model-${tag}.safetensors`,
    optimizer: `optimizer-${tag}.safetensors`,
    config: configToJson(model.config),
    modelRandom: model.randomState(),
    randoms: Object.fromEntries(
      Object.entries(state.randoms ?? {}).map(([k, r]) => [k, r.getState()]),
    ),
    data: state.data ?? null,
  };
  const json = JSON.stringify(manifest, null, 2);
  if (json === undefined)
    throw new TransformerError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'state.data',
      detail: 'must be JSON-serialisable.',
    });
  await saveSafetensorsFile(join(directory, manifest.model), parameters, {
    metadata: { format: 'pt' },
    ...signal,
  });
  const { entries, metadata } = encodeOptimizerState(await optimizer.state());
  await writeSafetensorsFile(join(directory, manifest.optimizer), entries, { metadata, ...signal });
  await writeFileAtomic(join(directory, MANIFEST), [new TextEncoder().encode(`${json}\n`)], signal);
  // The new checkpoint is complete: files of other steps can go.
  for (const file of await readdir(directory)) {
    if (
      /^(model|optimizer)-\d{8}\.safetensors$/.test(file) &&
      file !== manifest.model &&
      file !== manifest.optimizer
    ) {
      await rm(join(directory, file), { force: true });
    }
  }
}

/** Every field on which two configs differ, as `field: saved ≠ model`. */
function configDifferences(
  saved: ResolvedTransformerConfig,
  current: ResolvedTransformerConfig,
): string[] {
  return (Object.keys(current) as (keyof ResolvedTransformerConfig)[])
    .filter((key) => saved[key] !== current[key])
    .map(
      (key) =>
        `${key}: checkpoint ${JSON.stringify(saved[key])} ≠ model ${JSON.stringify(current[key])}`,
    );
}

/**
 * Restores a checkpoint into a model and optimizer built with the same config and parameter
 * names, and returns the loop's step, data position and generators.
 * @throws TransformerError `SHAPE_MISMATCH` listing every config field or tensor that differs.
 * @public
 */
export async function loadCheckpoint(
  directory: string,
  parts: { readonly model: Transformer; readonly optimizer: Optimizer },
): Promise<LoadedCheckpoint> {
  const fn = 'loadCheckpoint';
  const manifest = (await readJson(fn, join(directory, MANIFEST))) as unknown as Manifest;
  if (manifest.format !== 'llmkit-checkpoint' || manifest.version !== 1) {
    throw new TransformerError({
      code: 'CORRUPT_DATA',
      fn,
      argument: 'directory',
      detail: `${MANIFEST} is not an llmkit checkpoint manifest (version 1).`,
    });
  }
  const differences = configDifferences(resolveConfig(manifest.config, fn), parts.model.config);
  if (differences.length > 0) {
    throw new TransformerError({
      code: 'SHAPE_MISMATCH',
      fn,
      argument: 'parts.model',
      detail: `the checkpoint was saved from another config (${differences.length} difference${differences.length > 1 ? 's' : ''}): ${differences.join('; ')}.`,
    });
  }
  const weights = await openSafetensorsFile(join(directory, manifest.model));
  const tensors: NamedTensors = {};
  try {
    for (const { name } of weights.header.tensors) tensors[name] = await weights.readTensor(name);
    loadWeights(parts.model, tensors);
  } finally {
    await weights.close();
    for (const t of Object.values(tensors)) t.dispose();
  }
  const state = await openSafetensorsFile(join(directory, manifest.optimizer));
  try {
    const entries = new Map<string, SafetensorsEntry>();
    for (const { name } of state.header.tensors) entries.set(name, await state.read(name));
    parts.optimizer.loadState(decodeOptimizerState(entries, state.header.metadata));
  } finally {
    await state.close();
  }
  parts.model.setRandomState(manifest.modelRandom);
  const randoms = Object.fromEntries(
    Object.entries(manifest.randoms ?? {}).map(([k, s]) => [k, Random.fromState(s)]),
  );
  return { step: manifest.step, data: manifest.data, randoms };
}
