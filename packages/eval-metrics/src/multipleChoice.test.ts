import { describe, expect, it } from 'vitest';
import {
  evaluateMultipleChoice,
  type LoglikelihoodRequest,
  type MultipleChoiceItem,
} from './multipleChoice.js';
import { fewShotContext, parseMultipleChoiceJsonl } from './multipleChoiceTask.js';

// A scripted "model": a table of log-likelihoods per continuation (unconditional ones for
// mutual information are −1 except where listed).
const table: Record<string, number> = {
  'Q1| right answer': -2,
  'Q1| no': -1.5,
  'Q2| x': -1,
  'Q2| right': -2,
  'Q3| a': -0.5,
  'Q3| bb': -3,
  'Q3| right': -4,
  'Q4| ü': -2,
  'Q4| yy': -2.5,
  '| right answer': -5,
};
const model = (context: string, continuation: string): number =>
  table[`${context}|${continuation}`] ?? -1;

const items: MultipleChoiceItem[] = [
  { id: 'q1', subject: 'math', context: 'Q1', choices: ['right answer', 'no'], gold: 0 },
  { id: 'q2', subject: 'math', context: 'Q2', choices: ['x', 'right'], gold: 1 },
  { id: 'q3', subject: 'art', context: 'Q3', choices: ['a', 'bb', 'right'], gold: 0 },
  { id: 'q4', subject: 'art', context: 'Q4', choices: ['ü', 'yy'], gold: [0, 1] },
];

describe('evaluateMultipleChoice', () => {
  it('computes acc, acc_norm, acc_bytes and mutual information as the harness defines them', async () => {
    const r = await evaluateMultipleChoice(items, model, { mutualInformation: true });
    // Continuations carry the delimiter; lengths exclude it.
    expect(r.items[0]?.loglikelihoods).toEqual([-2, -1.5]);
    expect(r.items.map((i) => i.predicted)).toEqual([1, 0, 0, 0]);
    // acc_norm divides by characters: q1 −2/12 beats −1.5/2, q2 −2/5 beats −1/1, q4 −2.5/2 beats −2/1.
    expect(r.items.map((i) => i.predictedNorm)).toEqual([0, 1, 0, 1]);
    // acc_bytes: 'ü' is 2 bytes, so q4 −2/2 beats −2.5/2.
    expect(r.items[3]?.predictedBytes).toBe(0);
    // Mutual information: q1 −2 − (−5) = 3 beats −1.5 − (−1).
    expect(r.items[0]?.predictedMutualInfo).toBe(0);
    expect(r.micro.acc.mean).toBe(0.5);
    expect(r.micro.accNorm.mean).toBe(1);
    expect(r.micro.accMutualInfo?.mean).toBe(0.75);
    expect(r.subjects.math?.acc.mean).toBe(0);
    expect(r.subjects.art?.acc.mean).toBe(1);
    expect(r.macro.acc.mean).toBe(0.5);
    expect(r.micro.acc.standardError).toBeCloseTo(Math.sqrt(1 / 3 / 4), 14); // std (ddof 1) / √n
    expect(r.macro.acc.standardError).toBe(0);
  });

  it('batches, limits concurrency, deduplicates identical requests and reports progress', async () => {
    let inFlight = 0;
    let peak = 0;
    const sizes: number[] = [];
    const progress: number[] = [];
    const batch = async (requests: readonly LoglikelihoodRequest[]) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      sizes.push(requests.length);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
      return requests.map((q) => model(q.context, q.continuation));
    };
    const twice = [...items, { ...items[0], id: 'q1-copy' } as MultipleChoiceItem];
    const r = await evaluateMultipleChoice(
      twice,
      { batch },
      { batchSize: 3, concurrency: 2, onProgress: (done) => progress.push(done) },
    );
    expect(r.requests).toBe(9); // q1-copy repeats q1's requests
    expect(sizes).toEqual([3, 3, 3]);
    expect(peak).toBeLessThanOrEqual(2);
    expect(progress.at(-1)).toBe(9);
    expect(r.items[4]?.predicted).toBe(r.items[0]?.predicted);
  });

  it('rejects duplicate ids, bad golds, garbage scores and a throwing scorer; cancels', async () => {
    await expect(
      evaluateMultipleChoice([items[0], items[0]] as MultipleChoiceItem[], model),
    ).rejects.toThrow(/duplicate id "q1"/);
    await expect(
      evaluateMultipleChoice([{ ...items[0], gold: 5 } as MultipleChoiceItem], model),
    ).rejects.toThrow(/items\[0\]\.gold/);
    await expect(evaluateMultipleChoice(items, () => 0.3)).rejects.toThrow(/log-probability ≤ 0/);
    await expect(evaluateMultipleChoice(items, () => 'x' as never)).rejects.toThrow(/returned "x"/);
    await expect(
      evaluateMultipleChoice(items, () => {
        throw new Error('rate limited');
      }),
    ).rejects.toThrow('rate limited');
    await expect(evaluateMultipleChoice(items, { batch: async () => [1] })).rejects.toThrow(
      /one number per request/,
    );
    const controller = new AbortController();
    controller.abort();
    await expect(
      evaluateMultipleChoice(items, model, { signal: controller.signal }),
    ).rejects.toThrow(expect.objectContaining({ code: 'ABORTED' }));
  });
});

describe('parseMultipleChoiceJsonl and fewShotContext', () => {
  const jsonl = [
    '{"id": "a1", "subject": "astronomy", "question": "Closest star?", "choices": ["Sun", "Vega"], "answer": 0}',
    '',
    '{"id": "a2", "question": "Red planet?", "choices": ["Venus", "Mars"], "answer": "B"}',
    '{"id": "a3", "context": "Largest planet?", "choices": ["Jupiter", "Earth"], "answer": "Jupiter"}',
    '{"id": "a4", "question": "Gas giants?", "choices": ["Jupiter", "Mars", "Saturn"], "answer": [0, 2]}',
  ].join('\n');

  it('reads every answer form and names the line of a bad record', () => {
    const parsed = parseMultipleChoiceJsonl(jsonl);
    expect(parsed.map((q) => q.gold)).toEqual([0, 1, 0, [0, 2]]);
    expect(parsed[0]?.subject).toBe('astronomy');
    expect(parsed[2]?.context).toBe('Largest planet?');
    expect(() => parseMultipleChoiceJsonl('{"choices": ["a"], "answer": 0}')).toThrow(
      /line 1: question/,
    );
    expect(() =>
      parseMultipleChoiceJsonl('{"question": "q", "choices": ["a"], "answer": "Z"}'),
    ).toThrow(/line 1: answer/);
    expect(() => parseMultipleChoiceJsonl('nope')).toThrow(/line 1.*not valid JSON/);
    expect(() => parseMultipleChoiceJsonl(`${jsonl}\n${jsonl.split('\n')[0]}`)).toThrow(
      /duplicate id "a1"/,
    );
    expect(() => parseMultipleChoiceJsonl('\n\n')).toThrow(/no records/);
  });

  it('builds seeded few-shot prompts that exclude the item and reproduce per item', () => {
    const pool = parseMultipleChoiceJsonl(jsonl);
    const item = pool[1] as (typeof pool)[number];
    const a = fewShotContext(item, pool, { shots: 2, seed: 7, description: 'Astronomy.\n\n' });
    const b = fewShotContext(item, [...pool].reverse(), {
      shots: 2,
      seed: 7,
      description: 'Astronomy.\n\n',
    });
    expect(a.context.startsWith('Astronomy.\n\n')).toBe(true);
    expect(a.context.endsWith('\n\nRed planet?')).toBe(true);
    expect(a.context).not.toContain('Red planet? Mars');
    expect(a.context.split('\n\n')).toHaveLength(4);
    expect(b.context.split('\n\n').length).toBe(4);
    expect(fewShotContext(item, pool, { shots: 2, seed: 7 }).context).toBe(
      fewShotContext(item, pool, { shots: 2, seed: 7 }).context,
    );
    expect(() => fewShotContext(item, pool, { shots: 4 })).toThrow(/pool has 3/);
  });
});
