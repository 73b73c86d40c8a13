/**
 * What every optimizer shares: named parameters (`Variable`s), gradients by the same names,
 * weight-decay groups chosen by parameter name and shape, a learning rate fixed or scheduled,
 * per-parameter state slots (moments) with per-parameter step counts as in PyTorch, and state
 * save/restore. `AdamW`, `Sgd` and `Lion` supply only their update rule.
 */
import { TensorError } from './errors.js';
import { check } from './internal/check.js';
import { tf } from './internal/engine.js';
import { scope } from './memory.js';
import type { LearningRateSchedule } from './schedules.js';
import type { NamedTensors, NamedVariables, Tensor, Variable } from './tensor.js';

/** True for a parameter that gets no weight decay. @public */
export type NoDecayPredicate = (name: string, shape: readonly number[]) => boolean;

/** Selects the parameters that get no weight decay: a name pattern or a predicate. @public */
export type NoDecayRule = RegExp | NoDecayPredicate;

/**
 * The default exclusion: biases and normalisation gains, recognised by rank (< 2, as nanoGPT's
 * `configure_optimizers` decays exactly the ≥ 2-D tensors) or by name (`bias`, `norm`, `ln_…`).
 * Embeddings are 2-D and decayed; use {@link NO_DECAY_WITH_EMBEDDINGS} to exclude them too.
 * @public
 */
export const NO_DECAY_BIASES_AND_NORMS: NoDecayPredicate = (name, shape) =>
  shape.length < 2 || /(^|[._])(bias|[a-z_]*norm[a-z_]*|ln(_[a-z0-9]+)?)([._]|$)/i.test(name);

/** {@link NO_DECAY_BIASES_AND_NORMS} plus token and position embeddings (`wte`, `wpe`, `embed…`). @public */
export const NO_DECAY_WITH_EMBEDDINGS: NoDecayPredicate = (name, shape) =>
  NO_DECAY_BIASES_AND_NORMS(name, shape) ||
  /(^|[._])(wte|wpe|[a-z_]*embed[a-z_]*|[a-z_]*embedding[a-z_]*)([._]|$)/i.test(name);

/** Options every optimizer takes. @public */
export interface OptimizerOptions {
  /** A fixed learning rate or a schedule of the update index. */
  readonly learningRate: number | LearningRateSchedule;
  /** Weight decay λ for the parameters not excluded by `noDecay`. @defaultValue depends on the optimizer */
  readonly weightDecay?: number;
  /** Parameters that get no weight decay. @defaultValue {@link NO_DECAY_BIASES_AND_NORMS} */
  readonly noDecay?: NoDecayRule;
}

/** Per-call options of `Optimizer.step`. @public */
export interface StepOptions {
  /** Overrides the learning rate (or schedule) for this update only. */
  readonly learningRate?: number;
}

/** Parameter names by weight-decay group, for logging. @public */
export interface DecayGroups {
  readonly decay: readonly string[];
  readonly noDecay: readonly string[];
}

/** The saved state of one parameter. @public */
export interface ParameterState {
  /** Updates this parameter has received (bias corrections depend on it). */
  readonly step: number;
  /** Named state tensors (e.g. `m`, `v`), flattened, in the parameter's element order. */
  readonly slots: Readonly<Record<string, Float32Array>>;
}

/** Everything needed to resume an optimizer exactly (hyperparameters come from its options). @public */
export interface OptimizerState {
  /** `'adamw'`, `'sgd'` or `'lion'`; restoring into another kind is refused. */
  readonly kind: string;
  /** Calls to `step` so far (the index given to the learning-rate schedule). */
  readonly stepCount: number;
  /** State per parameter name; parameters never updated are absent. */
  readonly parameters: Readonly<Record<string, ParameterState>>;
}

/** A training optimizer over named parameters. @public */
export interface Optimizer {
  /** `'adamw'`, `'sgd'` or `'lion'`. */
  readonly kind: string;
  /** Calls to `step` so far. */
  readonly stepCount: number;
  /** Which parameters are decayed. */
  readonly decayGroups: DecayGroups;
  /** The learning rate the next `step` will use (without a per-call override). */
  nextLearningRate(): number;
  /**
   * Applies one update from gradients keyed by parameter name; parameters without a gradient
   * are left alone (their step count does not advance). Returns the learning rate used.
   */
  step(gradients: NamedTensors, options?: StepOptions): number;
  /** Reads the state from the device. */
  state(): Promise<OptimizerState>;
  /** Restores a state saved by `state()` from an optimizer of the same kind and parameters. */
  loadState(state: OptimizerState): void;
  /** Frees the state tensors. */
  dispose(): void;
}

/** One parameter's update, with everything it needs; runs inside a scope. */
export interface UpdateContext {
  readonly parameter: Variable;
  readonly gradient: Tensor;
  readonly slots: Readonly<Record<string, Variable>>;
  /** 1-based count of updates of this parameter, including this one. */
  readonly step: number;
  readonly learningRate: number;
  /** Weight decay for this parameter (0 when excluded). */
  readonly weightDecay: number;
}

/** Shared machinery; subclasses define `kind`, `slotNames` and `update`. */
export abstract class OptimizerBase implements Optimizer {
  abstract readonly kind: string;
  readonly decayGroups: DecayGroups;
  protected abstract readonly slotNames: readonly string[];
  private readonly parameters: ReadonlyMap<string, Variable>;
  private readonly decayed: ReadonlySet<string>;
  private readonly schedule: LearningRateSchedule;
  private readonly weightDecay: number;
  private readonly slots = new Map<string, Record<string, Variable>>();
  private readonly steps = new Map<string, number>();
  private count = 0;

  protected constructor(
    fn: string,
    parameters: NamedVariables,
    options: OptimizerOptions,
    defaultWeightDecay: number,
  ) {
    if (typeof parameters !== 'object' || parameters === null) {
      throw new TensorError({
        code: 'INVALID_ARGUMENT',
        fn,
        argument: 'parameters',
        detail: 'expected an object of Variables by name.',
      });
    }
    const entries = Object.entries(parameters);
    if (entries.length === 0) {
      throw new TensorError({
        code: 'EMPTY_INPUT',
        fn,
        argument: 'parameters',
        detail: 'expected at least one parameter to optimize.',
      });
    }
    for (const [name, value] of entries) {
      if (!(value instanceof tf.Variable) || value.dtype !== 'float32') {
        throw new TensorError({
          code: value instanceof tf.Tensor ? 'DTYPE_MISMATCH' : 'INVALID_ARGUMENT',
          fn,
          argument: `parameters.${name}`,
          detail: `expected a float32 Variable (ops.variable(tensor)), received ${value instanceof tf.Tensor ? `a ${value instanceof tf.Variable ? 'Variable' : 'Tensor'} of dtype ${value.dtype}` : typeof value}.`,
        });
      }
    }
    this.parameters = new Map(entries);
    const rate = options.learningRate;
    this.schedule =
      typeof rate === 'function'
        ? rate
        : (
            (r) => () =>
              r
          )(check.nonNegative(fn, 'options.learningRate', rate));
    this.weightDecay = check.nonNegative(
      fn,
      'options.weightDecay',
      options.weightDecay ?? defaultWeightDecay,
    );
    const rule = options.noDecay ?? NO_DECAY_BIASES_AND_NORMS;
    const excluded = (name: string, shape: readonly number[]): boolean =>
      rule instanceof RegExp ? rule.test(name) : rule(name, shape);
    const decay: string[] = [];
    const noDecay: string[] = [];
    for (const [name, p] of entries) (excluded(name, p.shape) ? noDecay : decay).push(name);
    this.decayed = new Set(decay);
    this.decayGroups = { decay, noDecay };
  }

  get stepCount(): number {
    return this.count;
  }

  nextLearningRate(): number {
    return this.schedule(this.count);
  }

  protected abstract update(context: UpdateContext): void;

  step(gradients: NamedTensors, options: StepOptions = {}): number {
    const fn = `${this.constructor.name}.step`;
    const learningRate =
      options.learningRate === undefined
        ? check.nonNegative(fn, `schedule(${this.count})`, this.schedule(this.count))
        : check.nonNegative(fn, 'options.learningRate', options.learningRate);
    const work = this.validate(fn, gradients);
    for (const [name, parameter, gradient] of work) {
      const step = (this.steps.get(name) ?? 0) + 1;
      // One scope per parameter: its intermediates are freed before the next parameter's are
      // made, so peak memory is one parameter's worth and freed buffers are reused while hot.
      scope(() => {
        this.update({
          parameter,
          gradient,
          slots: this.slotsOf(name, parameter),
          step,
          learningRate,
          weightDecay: this.decayed.has(name) ? this.weightDecay : 0,
        });
      });
      this.steps.set(name, step);
    }
    this.count++;
    return learningRate;
  }

  private validate(fn: string, gradients: NamedTensors): [string, Variable, Tensor][] {
    if (typeof gradients !== 'object' || gradients === null) {
      throw new TensorError({
        code: 'INVALID_ARGUMENT',
        fn,
        argument: 'gradients',
        detail: 'expected an object of gradient tensors keyed by parameter name.',
      });
    }
    const work: [string, Variable, Tensor][] = [];
    for (const [name, gradient] of Object.entries(gradients)) {
      const parameter = this.parameters.get(name);
      const argument = `gradients.${name}`;
      if (parameter === undefined) {
        throw new TensorError({
          code: 'INVALID_ARGUMENT',
          fn,
          argument,
          detail: `no parameter is named ${JSON.stringify(name)}; gradients must use the names the optimizer was built with.`,
        });
      }
      if (!(gradient instanceof tf.Tensor) || gradient.dtype !== 'float32') {
        throw new TensorError({
          code: 'DTYPE_MISMATCH',
          fn,
          argument,
          detail: `expected a float32 tensor, received ${gradient instanceof tf.Tensor ? gradient.dtype : typeof gradient}.`,
        });
      }
      if (!tf.util.arraysEqual(gradient.shape, parameter.shape)) {
        throw new TensorError({
          code: 'SHAPE_MISMATCH',
          fn,
          argument,
          detail: `gradient shape [${gradient.shape}] differs from parameter shape [${parameter.shape}].`,
        });
      }
      work.push([name, parameter, gradient]);
    }
    return work;
  }

  private slotsOf(name: string, parameter: Variable): Record<string, Variable> {
    let slots = this.slots.get(name);
    if (slots === undefined) {
      slots = {};
      for (const slot of this.slotNames) {
        slots[slot] = tf.variable(tf.zerosLike(parameter), false);
      }
      this.slots.set(name, slots);
    }
    return slots;
  }

  async state(): Promise<OptimizerState> {
    const parameters: Record<string, ParameterState> = {};
    for (const [name, step] of this.steps) {
      const slots: Record<string, Float32Array> = {};
      for (const [slot, value] of Object.entries(this.slots.get(name) ?? {})) {
        slots[slot] = (await value.data()) as Float32Array;
      }
      parameters[name] = { step, slots };
    }
    return { kind: this.kind, stepCount: this.count, parameters };
  }

  loadState(state: OptimizerState): void {
    const fn = `${this.constructor.name}.loadState`;
    const fail = (
      argument: string,
      detail: string,
      code: 'INVALID_ARGUMENT' | 'SHAPE_MISMATCH' = 'INVALID_ARGUMENT',
    ): never => {
      throw new TensorError({ code, fn, argument, detail });
    };
    if (state?.kind !== this.kind) {
      fail(
        'state.kind',
        `expected a '${this.kind}' state, received ${JSON.stringify(state?.kind)}.`,
      );
    }
    const stepCount = check.integer(fn, 'state.stepCount', state.stepCount, { min: 0 });
    const restored: [string, number, Record<string, Float32Array>][] = [];
    for (const [name, saved] of Object.entries(state.parameters ?? {})) {
      const parameter = this.parameters.get(name);
      if (parameter === undefined) fail(`state.parameters.${name}`, 'no parameter has this name.');
      const step = check.integer(fn, `state.parameters.${name}.step`, saved.step, { min: 1 });
      for (const slot of this.slotNames) {
        const values = saved.slots?.[slot];
        if (!(values instanceof Float32Array) || values.length !== parameter!.size) {
          fail(
            `state.parameters.${name}.slots.${slot}`,
            `expected a Float32Array of ${parameter!.size} values, received ${values instanceof Float32Array ? `${values.length}` : typeof values}.`,
            'SHAPE_MISMATCH',
          );
        }
      }
      restored.push([name, step, saved.slots as Record<string, Float32Array>]);
    }
    // Validated in full: now replace the state.
    this.dispose();
    scope(() => {
      for (const [name, step, slots] of restored) {
        const parameter = this.parameters.get(name)!;
        const variables: Record<string, Variable> = {};
        for (const slot of this.slotNames) {
          const values = tf.tensor(slots[slot]!, parameter.shape, 'float32');
          variables[slot] = tf.variable(values, false);
        }
        this.slots.set(name, variables);
        this.steps.set(name, step);
      }
    });
    this.count = stepCount;
  }

  dispose(): void {
    for (const slots of this.slots.values()) for (const v of Object.values(slots)) v.dispose();
    this.slots.clear();
    this.steps.clear();
  }
}
