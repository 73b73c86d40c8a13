/**
 * Loading named tensors (a safetensors file's contents) into a model's parameters, with the
 * name variants Hugging Face checkpoints carry: GPT-2 files saved from the base `GPT2Model`
 * lack the `transformer.` prefix (the published `gpt2` weights), older files hold the causal-mask
 * buffers `attn.bias` / `attn.masked_bias` and Llama's `rotary_emb.inv_freq`, and a tied model's
 * file may repeat the embedding as `lm_head.weight`.
 *
 * Everything is checked before anything is assigned: a file that does not fit is refused with
 * every missing, unexpected and misshapen tensor listed, and the model is left as it was.
 */
import { hostValues, type NamedTensors, type Tensor } from '@llmkit/tensor-gpu';
import { TransformerError } from './errors.js';
import type { Transformer } from './transformer.js';

/** Options of {@link loadWeights}. @public */
export interface LoadWeightsOptions {
  /** Refuse tensors the model has no parameter for (buffers named above are always skipped). @defaultValue true */
  readonly strict?: boolean;
}

/** Buffers, not parameters: recomputed from the config, never loaded. */
const BUFFERS = /(^|\.)(attn\.bias|attn\.masked_bias|rotary_emb\.inv_freq)$/;

/**
 * Assigns `tensors` to the model's parameters by Hugging Face name.
 * @example
 * ```ts
 * const { tensors } = loadSafetensors(bytes);
 * loadWeights(model, tensors);
 * ```
 * @throws TransformerError `SHAPE_MISMATCH` listing every missing, unexpected or misshapen tensor.
 * @public
 */
export function loadWeights(
  model: Transformer,
  tensors: NamedTensors,
  options: LoadWeightsOptions = {},
): void {
  const fn = 'loadWeights';
  const strict = options.strict ?? true;
  const parameters = model.parameters();
  const { naming, tieEmbeddings } = model.config;
  const embedding = naming === 'gpt2' ? 'transformer.wte.weight' : 'model.embed_tokens.weight';
  const problems: string[] = [];
  const assignments = new Map<string, Tensor>();
  let repeatedHead: Tensor | undefined;
  for (const [key, tensor] of Object.entries(tensors)) {
    const prefixed = `transformer.${key}`;
    const name =
      naming === 'gpt2' && !(key in parameters) && prefixed in parameters ? prefixed : key;
    const parameter = parameters[name];
    if (parameter === undefined) {
      if (tieEmbeddings && name === 'lm_head.weight') repeatedHead = tensor;
      else if (!BUFFERS.test(key) && strict)
        problems.push(`unexpected tensor ${key} [${tensor.shape}]`);
      continue;
    }
    if (tensor.dtype !== 'float32') {
      problems.push(`${key} has dtype ${tensor.dtype}, expected a float tensor`);
    } else if (tensor.shape.join(',') !== parameter.shape.join(',')) {
      problems.push(`${key} has shape [${tensor.shape}], the config needs [${parameter.shape}]`);
    }
    if (assignments.has(name)) problems.push(`${name} appears twice (as ${key})`);
    assignments.set(name, tensor);
  }
  for (const name of Object.keys(parameters)) {
    if (!assignments.has(name)) {
      const hint =
        name === 'lm_head.weight'
          ? ' (the checkpoint may tie embeddings: set tieEmbeddings: true)'
          : '';
      problems.push(`missing tensor ${name} [${parameters[name]!.shape}]${hint}`);
    }
  }
  const tied = assignments.get(embedding);
  if (repeatedHead !== undefined && tied !== undefined && problems.length === 0) {
    const same =
      repeatedHead.shape.join(',') === tied.shape.join(',') && sameValues(repeatedHead, tied);
    if (!same)
      problems.push(
        'lm_head.weight differs from the token embedding, but the config ties them (set tieEmbeddings: false)',
      );
  }
  if (problems.length > 0) {
    throw new TransformerError({
      code: 'SHAPE_MISMATCH',
      fn,
      argument: 'tensors',
      detail: `the checkpoint does not fit the config (${problems.length} problem${problems.length > 1 ? 's' : ''}): ${problems.join('; ')}.`,
    });
  }
  for (const [name, tensor] of assignments) parameters[name]!.assign(tensor);
}

/**
 * Whether two tensors of one shape hold equal values, compared on the host. Weights just read
 * from a file are still there on every backend; where either is not (computed on a WebGPU
 * device), the comparison is skipped and they are taken as equal.
 */
function sameValues(a: Tensor, b: Tensor): boolean {
  const x = hostValues(a);
  const y = hostValues(b);
  if (x === undefined || y === undefined) return true;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
