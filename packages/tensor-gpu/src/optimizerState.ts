/**
 * Optimizer state as safetensors entries, so a checkpoint can hold it beside the weights (the
 * way PyTorch checkpoints hold `optimizer.state_dict()`): one F32 tensor per parameter and slot,
 * named `<parameter>/<slot>` (e.g. `h.0.mlp.c_fc.weight/m`), and the counters in `__metadata__`
 * under keys prefixed `optimizer.`.
 */
import { TensorError } from './errors.js';
import type { OptimizerState, ParameterState } from './optimizer.js';
import type { SafetensorsEntry } from './safetensorsHeader.js';

/** Optimizer state laid out for a safetensors file. @public */
export interface EncodedOptimizerState {
  readonly entries: Record<string, SafetensorsEntry>;
  readonly metadata: Record<string, string>;
}

/**
 * Lays out a state from `optimizer.state()` as safetensors entries and metadata.
 * @example
 * ```ts
 * const { entries, metadata } = encodeOptimizerState(await optimizer.state());
 * await writeSafetensorsFile('optimizer.safetensors', entries, { metadata });
 * ```
 * @public
 */
export function encodeOptimizerState(state: OptimizerState): EncodedOptimizerState {
  const entries: Record<string, SafetensorsEntry> = {};
  const steps: Record<string, number> = {};
  for (const [name, parameter] of Object.entries(state.parameters)) {
    steps[name] = parameter.step;
    for (const [slot, values] of Object.entries(parameter.slots)) {
      entries[`${name}/${slot}`] = { dtype: 'F32', shape: [values.length], data: values };
    }
  }
  const metadata = {
    'optimizer.kind': state.kind,
    'optimizer.stepCount': String(state.stepCount),
    'optimizer.steps': JSON.stringify(steps),
  };
  return { entries, metadata };
}

/**
 * Rebuilds a state for `optimizer.loadState` from a file's tensors and metadata (as
 * `readSafetensors` or `openSafetensorsFile` give them). The optimizer validates shapes.
 * @public
 */
export function decodeOptimizerState(
  entries: ReadonlyMap<string, SafetensorsEntry> | Readonly<Record<string, SafetensorsEntry>>,
  metadata: Readonly<Record<string, string>>,
): OptimizerState {
  const fn = 'decodeOptimizerState';
  const fail = (detail: string, argument = 'metadata'): never => {
    throw new TensorError({ code: 'CORRUPT_DATA', fn, argument, detail });
  };
  const kind =
    metadata['optimizer.kind'] ?? fail('optimizer.kind is missing: not an optimizer state file.');
  const stepCount = Number(metadata['optimizer.stepCount']);
  if (!Number.isSafeInteger(stepCount) || stepCount < 0)
    fail('optimizer.stepCount is not a count.');
  let steps: Record<string, unknown>;
  try {
    steps = JSON.parse(metadata['optimizer.steps'] ?? 'null');
  } catch {
    steps = fail('optimizer.steps is not JSON.');
  }
  if (typeof steps !== 'object' || steps === null)
    fail('optimizer.steps must map parameter names to counts.');
  const parameters: Record<string, { step: number; slots: Record<string, Float32Array> }> = {};
  for (const [name, step] of Object.entries(steps)) {
    if (typeof step !== 'number') fail(`optimizer.steps.${name} is not a number.`);
    parameters[name] = { step: step as number, slots: {} };
  }
  const all = entries instanceof Map ? [...entries] : Object.entries(entries);
  for (const [key, entry] of all) {
    const cut = key.lastIndexOf('/');
    const parameter = parameters[key.slice(0, cut)];
    if (cut < 0 || parameter === undefined)
      fail(`tensor ${JSON.stringify(key)} belongs to no parameter in optimizer.steps.`, 'entries');
    if (entry.dtype !== 'F32')
      fail(`tensor ${JSON.stringify(key)} is ${entry.dtype}; optimizer state is F32.`, 'entries');
    const bytes = new Uint8Array(
      entry.data.buffer,
      entry.data.byteOffset,
      entry.data.byteLength,
    ).slice();
    parameter!.slots[key.slice(cut + 1)] = new Float32Array(bytes.buffer);
  }
  return { kind, stepCount, parameters: parameters as Record<string, ParameterState> };
}
