import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW } from './adamW.js';
import { initCompute } from './compute.js';
import type { TensorError } from './errors.js';
import { Lion } from './lion.js';
import { dispose, leakCheck, scope } from './memory.js';
import * as ops from './ops.js';
import {
  NO_DECAY_BIASES_AND_NORMS,
  NO_DECAY_WITH_EMBEDDINGS,
  type Optimizer,
} from './optimizer.js';
import { warmupCosineSchedule } from './schedules.js';
import { Sgd } from './sgd.js';
import type { NamedVariables } from './tensor.js';

beforeAll(async () => {
  await initCompute({ backend: 'cpu' });
});

const GPT2_NAMES: Record<string, number[]> = {
  'transformer.wte.weight': [10, 4],
  'transformer.wpe.weight': [8, 4],
  'transformer.h.0.ln_1.weight': [4],
  'transformer.h.0.ln_1.bias': [4],
  'transformer.h.0.attn.c_attn.weight': [4, 12],
  'transformer.h.0.attn.c_attn.bias': [12],
  'model.layers.0.input_layernorm.weight': [4],
  'model.norm.weight': [4],
  'model.embed_tokens.weight': [10, 4],
  'lm_head.weight': [4, 10],
};

function parameters(shapes: Record<string, number[]>): NamedVariables {
  return scope(() => {
    const out: NamedVariables = {};
    let seed = 1;
    for (const [name, shape] of Object.entries(shapes)) {
      out[name] = ops.variable(ops.randomNormal(shape, 0, 1, 'float32', seed++));
    }
    return out;
  });
}

describe('weight-decay groups', () => {
  it('exclude biases and norms by default, embeddings on request', () => {
    const rule = (name: string) => NO_DECAY_BIASES_AND_NORMS(name, GPT2_NAMES[name]!);
    const excluded = Object.keys(GPT2_NAMES).filter(rule);
    expect(excluded).toEqual([
      'transformer.h.0.ln_1.weight',
      'transformer.h.0.ln_1.bias',
      'transformer.h.0.attn.c_attn.bias',
      'model.layers.0.input_layernorm.weight',
      'model.norm.weight',
    ]);
    const withEmbeddings = Object.keys(GPT2_NAMES).filter((n) =>
      NO_DECAY_WITH_EMBEDDINGS(n, GPT2_NAMES[n]!),
    );
    expect(withEmbeddings).toEqual([
      'transformer.wte.weight',
      'transformer.wpe.weight',
      ...excluded.slice(0, 4),
      'model.norm.weight',
      'model.embed_tokens.weight',
    ]);
  });

  it('are reported by the optimizer and leave excluded parameters undecayed', () => {
    const params = parameters({ 'a.weight': [2, 2], 'a.bias': [2], 'emb.weight': [3, 2] });
    const opt = new Sgd(params, { learningRate: 1, weightDecay: 0.5, noDecay: /bias|emb/ });
    expect(opt.decayGroups).toEqual({ decay: ['a.weight'], noDecay: ['a.bias', 'emb.weight'] });
    const before = Object.fromEntries(
      Object.entries(params).map(([n, p]) => [n, p.dataSync().slice()]),
    );
    const zeros = scope(() =>
      Object.fromEntries(Object.keys(params).map((n) => [n, ops.zerosLike(params[n]!)])),
    );
    opt.step(zeros);
    expect(Array.from(params['a.bias']!.dataSync())).toEqual(Array.from(before['a.bias']!));
    expect(Array.from(params['emb.weight']!.dataSync())).toEqual(Array.from(before['emb.weight']!));
    const decayed = params['a.weight']!.dataSync();
    for (const [i, v] of before['a.weight']!.entries()) expect(decayed[i]).toBeCloseTo(v * 0.5, 6);
    dispose([params, zeros]);
  });
});

describe('learning rate', () => {
  it('follows the schedule by step count unless overridden per call', () => {
    const params = parameters({ w: [2] });
    const schedule = warmupCosineSchedule({ peakLearningRate: 1, warmupSteps: 2, totalSteps: 6 });
    const opt = new Sgd(params, { learningRate: schedule });
    const g = { w: ops.tensor([0, 0]) };
    const used = [opt.step(g), opt.step(g), opt.step(g, { learningRate: 0.25 }), opt.step(g)];
    expect(used).toEqual([schedule(0), schedule(1), 0.25, schedule(3)]);
    expect(opt.stepCount).toBe(4);
    expect(opt.nextLearningRate()).toBe(schedule(4));
    dispose([params, g]);
  });
});

describe.each([
  ['AdamW', (p: NamedVariables) => new AdamW(p, { learningRate: 1e-2, weightDecay: 0.1 })],
  ['Sgd', (p: NamedVariables) => new Sgd(p, { learningRate: 1e-2, momentum: 0.9 })],
  ['Lion', (p: NamedVariables) => new Lion(p, { learningRate: 1e-3, weightDecay: 0.1 })],
] as const)('%s state', (_, make: (p: NamedVariables) => Optimizer) => {
  it('save and restore resume exactly where an uninterrupted run goes', async () => {
    const shapes = { 'layer.weight': [3, 2], 'layer.bias': [2] };
    const gradsAt = (t: number) =>
      scope(() => ({
        'layer.weight': ops.randomNormal([3, 2], 0, 1, 'float32', 100 + t),
        ...(t === 1 ? {} : { 'layer.bias': ops.randomNormal([2], 0, 1, 'float32', 200 + t) }),
      }));
    const straight = parameters(shapes);
    const a = make(straight);
    for (let t = 0; t < 5; t++) {
      const g = gradsAt(t);
      a.step(g);
      dispose(g);
    }
    const resumed = parameters(shapes);
    const b = make(resumed);
    for (let t = 0; t < 3; t++) {
      const g = gradsAt(t);
      b.step(g);
      dispose(g);
    }
    const saved = await b.state();
    expect(saved.parameters['layer.bias']!.step).toBe(2);
    b.dispose();
    const c = make(resumed);
    leakCheck(() => c.loadState(saved), { allowTensors: 4, allowBytes: 64 });
    expect(c.stepCount).toBe(3);
    for (let t = 3; t < 5; t++) {
      const g = gradsAt(t);
      c.step(g);
      dispose(g);
    }
    for (const name of Object.keys(shapes)) {
      expect(Array.from(resumed[name]!.dataSync())).toEqual(Array.from(straight[name]!.dataSync()));
    }
    expect(await c.state()).toEqual(await a.state());
    a.dispose();
    c.dispose();
    dispose([straight, resumed]);
  });

  it('refuses a state of another kind, unknown names and wrong sizes', async () => {
    const params = parameters({ w: [2, 2] });
    const opt = make(params);
    const g = { w: ops.ones([2, 2]) };
    opt.step(g);
    const saved = await opt.state();
    expect(() => opt.loadState({ ...saved, kind: 'rmsprop' })).toThrow(/loadState\(state\.kind\)/);
    expect(() => opt.loadState({ ...saved, parameters: { v: saved.parameters.w! } })).toThrow(
      /state\.parameters\.v\): no parameter has this name/,
    );
    const slots = Object.fromEntries(
      Object.keys(saved.parameters.w!.slots).map((s) => [s, new Float32Array(3)]),
    );
    if (Object.keys(slots).length > 0) {
      expect(() => opt.loadState({ ...saved, parameters: { w: { step: 1, slots } } })).toThrow(
        /expected a Float32Array of 4 values, received 3/,
      );
    }
    opt.dispose();
    dispose([params, g]);
  });
});

describe('step validation', () => {
  it('names the gradient at fault', () => {
    const params = parameters({ w: [2, 2] });
    const opt = new AdamW(params, { learningRate: 1e-3 });
    const bad = {
      unknown: ops.zeros([2, 2]),
      shape: ops.zeros([4]),
      dtype: ops.zeros([2, 2], 'int32'),
    };
    expect(() => opt.step({ x: bad.unknown })).toThrow(
      /AdamW\.step\(gradients\.x\): no parameter is named "x"/,
    );
    const shapeError = (() => {
      try {
        opt.step({ w: bad.shape });
      } catch (e) {
        return e as TensorError;
      }
    })();
    expect(shapeError?.code).toBe('SHAPE_MISMATCH');
    expect(shapeError?.message).toMatch(
      /gradient shape \[4\] differs from parameter shape \[2,2\]/,
    );
    expect(() => opt.step({ w: bad.dtype })).toThrow(/expected a float32 tensor, received int32/);
    expect(opt.stepCount).toBe(0);
    dispose([params, bad]);
  });

  it('needs float32 Variables as parameters', () => {
    const t = ops.zeros([2]);
    const ints = scope(() => ops.variable(ops.zeros([2], 'int32')));
    expect(() => new AdamW({ t: t as never }, { learningRate: 1 })).toThrow(
      /AdamW\(parameters\.t\): expected a float32 Variable \(ops\.variable\(tensor\)\), received a Tensor of dtype float32/,
    );
    expect(() => new AdamW({ ints }, { learningRate: 1 })).toThrow(
      /received a Variable of dtype int32/,
    );
    expect(() => new AdamW({}, { learningRate: 1 })).toThrow(/at least one parameter/);
    dispose([t, ints]);
  });
});
