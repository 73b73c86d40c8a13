/**
 * Autoregressive generation with the KV cache: the prompt is run once (prefill), then each new
 * token is sampled from the last position's logits and fed back, one position per step.
 * `generate` streams one sequence's tokens as an async iterator; `generateBatch` decodes many
 * prompts together, left-padded so that every row's last prompt token is in the same column.
 */
import { Random } from '@llmkit/numeric';
import type { ResolvedTransformerConfig } from './config.js';
import { TransformerError } from './errors.js';
import { check, invalid } from './internal/check.js';
import { draw, type ResolvedSampling, resolveSampling, type SamplingOptions } from './sampling.js';

/** Options of {@link generate}. @public */
export interface GenerateOptions extends SamplingOptions {
  /** Most tokens to generate. @defaultValue 128 */
  readonly maxNewTokens?: number;
  /**
   * Tokens (e.g. end-of-text) or token sequences that end generation; the stop token or
   * sequence is the last thing yielded.
   */
  readonly stop?: readonly (number | readonly number[])[];
  /** Seed of the sampling generator (a batch's row b uses seed + b unless seeds are listed). @defaultValue 0 */
  readonly seed?: number;
  /** Cancels between tokens with a `TransformerError` of code `ABORTED`. */
  readonly signal?: AbortSignal;
  /**
   * When prompt + new tokens would pass the context length: `'error'` refuses before starting;
   * `'slide'` keeps going, re-reading the last half of the context whenever the cache is full
   * (tokens further back are forgotten).
   * @defaultValue 'error'
   */
  readonly contextOverflow?: 'error' | 'slide';
}

/** Options checked and filled in. */
interface Plan {
  readonly sampling: ResolvedSampling;
  readonly maxNewTokens: number;
  readonly stops: readonly (readonly number[])[];
  readonly slide: boolean;
  readonly signal: AbortSignal | undefined;
}

function plan(
  fn: string,
  model: Decoder<DecoderCache>,
  prompts: readonly (readonly number[])[],
  options: Omit<GenerateOptions, 'seed'>,
): Plan {
  const { vocabSize, contextLength } = model.config;
  const sampling = resolveSampling(fn, options);
  const maxNewTokens = check.integer(fn, 'options.maxNewTokens', options.maxNewTokens ?? 128, {
    min: 0,
  });
  const overflow = options.contextOverflow ?? 'error';
  if (overflow !== 'error' && overflow !== 'slide') {
    invalid(
      fn,
      'options.contextOverflow',
      `expected 'error' or 'slide', received ${JSON.stringify(overflow)}.`,
    );
  }
  const stops = (options.stop ?? []).map((s, i) => {
    const sequence = typeof s === 'number' ? [s] : [...s];
    if (
      sequence.length === 0 ||
      sequence.some((id) => !Number.isInteger(id) || id < 0 || id >= vocabSize)
    ) {
      invalid(
        fn,
        `options.stop[${i}]`,
        `expected a token id in [0, ${vocabSize}) or a non-empty sequence of them.`,
      );
    }
    return sequence;
  });
  for (const [b, prompt] of prompts.entries()) {
    const longest = prompt.length + maxNewTokens;
    if (prompt.length === 0)
      invalid(fn, 'prompt', `prompt ${b} is empty; start it with a beginning-of-text token.`);
    if (prompt.length > contextLength || (overflow === 'error' && longest > contextLength)) {
      invalid(
        fn,
        'prompt',
        `prompt ${b} has ${prompt.length} tokens and ${maxNewTokens} more are asked for, ${longest} in all, past the context length ${contextLength}; lower maxNewTokens, shorten the prompt, or pass contextOverflow: 'slide'.`,
      );
    }
  }
  return { sampling, maxNewTokens, stops, slide: overflow === 'slide', signal: options.signal };
}

function throwIfAborted(fn: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new TransformerError({
      code: 'ABORTED',
      fn,
      argument: 'options.signal',
      detail: 'generation was cancelled.',
    });
  }
}

/**
 * Lets timers and I/O (an abort, a client's request) run between tokens: a macrotask turn
 * once at least 10 ms of decoding have passed since the last one (a turn per token would cost
 * more than a small model's step).
 */
function eventLoopYielder(): () => Promise<void> {
  let last = performance.now();
  const turn = (): Promise<void> =>
    new Promise((resolve) =>
      (globalThis.setImmediate ?? ((f: () => void) => setTimeout(f, 0)))(resolve),
    );
  return async () => {
    if (performance.now() - last < 10) return;
    await turn();
    last = performance.now();
  };
}

function endsWithStop(sequence: readonly number[], stops: Plan['stops']): boolean {
  return stops.some(
    (stop) =>
      stop.length <= sequence.length &&
      stop.every((id, i) => sequence[sequence.length - stop.length + i] === id),
  );
}

/** A cache generation can hold: its length, and a way to free it. @public */
export interface DecoderCache {
  /** Slots filled per row. */
  readonly length: number;
  dispose(): void;
}

/**
 * What generation needs from a model: the tfjs {@link Transformer}, or `OnnxTransformer`
 * (`@llmkit/transformer/onnx`), which runs the same model in ONNX Runtime.
 * @public
 */
export interface Decoder<C extends DecoderCache = DecoderCache> {
  readonly config: ResolvedTransformerConfig;
  createCache(batchSize: number): C;
  /** Feeds `tokens` [B, T] after what `cache` holds; returns each row's last-position logits [B·V]. */
  nextLogits(
    tokens: number[][],
    cache: C,
    paddingMask?: Uint8Array,
  ): Float32Array | Promise<Float32Array>;
}

/** Runs `tokens` through the model with the cache and returns each row's last-position logits. */
async function step<C extends DecoderCache>(
  model: Decoder<C>,
  cache: C,
  tokens: number[][],
  paddingMask?: Uint8Array,
): Promise<Float64Array[]> {
  const values = await model.nextLogits(tokens, cache, paddingMask);
  const v = model.config.vocabSize;
  return tokens.map((_, b) => Float64Array.from(values.subarray(b * v, (b + 1) * v)));
}

/**
 * Generates a continuation of `prompt`, one token at a time.
 * @example
 * ```ts
 * for await (const token of generate(model, tokenizer.encode('Once upon'), { maxNewTokens: 50, temperature: 0.8, topP: 0.95, seed: 1 })) {
 *   process.stdout.write(decoder.push(token));
 * }
 * ```
 * @throws TransformerError for ids outside the vocabulary, a prompt that does not fit the
 *   context (unless `contextOverflow: 'slide'`), bad options, or `ABORTED`.
 * @public
 */
export async function* generate<C extends DecoderCache>(
  model: Decoder<C>,
  prompt: readonly number[],
  options: GenerateOptions = {},
): AsyncGenerator<number, void, undefined> {
  const fn = 'generate';
  const settings = plan(fn, model, [prompt], options);
  const random = new Random(check.integer(fn, 'options.seed', options.seed ?? 0, { min: 0 }));
  const sequence = [...prompt];
  const yieldToEventLoop = eventLoopYielder();
  const cache = model.createCache(1);
  const context = model.config.contextLength;
  try {
    throwIfAborted(fn, settings.signal);
    let [logits] = await step(model, cache, [sequence]);
    for (let produced = 0; produced < settings.maxNewTokens; produced++) {
      const token = draw(logits!, sequence, settings.sampling, random);
      sequence.push(token);
      yield token;
      if (
        endsWithStop(sequence.slice(prompt.length), settings.stops) ||
        produced + 1 === settings.maxNewTokens
      )
        break;
      await yieldToEventLoop();
      throwIfAborted(fn, settings.signal);
      if (cache.length === context) {
        // Slide: forget all but the last half of the context and read it again.
        cache.dispose();
        [logits] = await step(model, cache, [sequence.slice(-Math.ceil(context / 2))]);
      } else {
        [logits] = await step(model, cache, [[token]]);
      }
    }
  } finally {
    cache.dispose();
  }
}

/** Options of {@link generateBatch}. @public */
export interface GenerateBatchOptions extends Omit<GenerateOptions, 'seed' | 'contextOverflow'> {
  /** One seed per row, or a base seed s (row b uses s + b). @defaultValue 0 */
  readonly seed?: number | readonly number[];
  /** Filler id for left padding (never attended to). @defaultValue 0 */
  readonly padToken?: number;
  /** Called after each decoding step with the number of steps done. */
  readonly onStep?: (steps: number) => void;
}

/**
 * Generates continuations of several prompts together (left-padded into one batch). Row b
 * produces the tokens `generate(model, prompts[b], { ...options, seed: seeds[b] })` would,
 * up to float rounding of the batched products.
 * @returns the new tokens of each row (stop tokens included; rows end at their first stop)
 * @public
 */
export async function generateBatch<C extends DecoderCache>(
  model: Decoder<C>,
  prompts: readonly (readonly number[])[],
  options: GenerateBatchOptions = {},
): Promise<number[][]> {
  const fn = 'generateBatch';
  if (!Array.isArray(prompts) || prompts.length === 0)
    invalid(fn, 'prompts', 'expected at least one prompt.');
  const settings = plan(fn, model, prompts, options);
  const seeds = prompts.map((_, b) => {
    const seed = options.seed ?? 0;
    const value = typeof seed === 'number' ? seed + b : seed[b];
    return check.integer(fn, `options.seed[${b}]`, value, { min: 0 });
  });
  const pad = check.integer(fn, 'options.padToken', options.padToken ?? 0, {
    min: 0,
    max: model.config.vocabSize - 1,
  });
  const randoms = seeds.map((s) => new Random(s));
  const longest = Math.max(...prompts.map((p) => p.length));
  const rows = prompts.map((p) => [...new Array<number>(longest - p.length).fill(pad), ...p]);
  const mask = Uint8Array.from(
    prompts.flatMap((p) => [...new Array<number>(longest - p.length).fill(0), ...p.map(() => 1)]),
  );
  const sequences = prompts.map((p) => [...p]);
  const outputs: number[][] = prompts.map(() => []);
  const done = prompts.map(() => settings.maxNewTokens === 0);
  const yieldToEventLoop = eventLoopYielder();
  const cache = model.createCache(prompts.length);
  try {
    throwIfAborted(fn, settings.signal);
    let logits = await step(model, cache, rows, mask);
    for (let produced = 0; produced < settings.maxNewTokens && done.includes(false); produced++) {
      const next = logits.map((row, b) => {
        if (done[b]) return sequences[b]!.at(-1)!;
        const token = draw(row, sequences[b]!, settings.sampling, randoms[b]!);
        sequences[b]!.push(token);
        outputs[b]!.push(token);
        if (endsWithStop(outputs[b]!, settings.stops) || produced + 1 === settings.maxNewTokens)
          done[b] = true;
        return token;
      });
      options.onStep?.(produced + 1);
      if (!done.includes(false)) break;
      await yieldToEventLoop();
      throwIfAborted(fn, settings.signal);
      logits = await step(
        model,
        cache,
        next.map((t) => [t]),
      );
    }
  } finally {
    cache.dispose();
  }
  return outputs;
}
