/**
 * Agreement between an LLM judge and human votes on pairwise comparisons, as MT-Bench reports it
 * (Zheng et al., "Judging LLM-as-a-Judge with MT-Bench and Chatbot Arena", 2023, Table 2;
 * FastChat `llm_judge/compute_agreement.py`): "with ties" counts every comparison; "without
 * ties" keeps only comparisons where neither side voted a tie.
 */
import { describeValue } from '@llmkit/numeric';
import { cohenKappa } from './cohenKappa.js';
import { check, invalid, nonEmptyArray } from './internal/check.js';

/** A pairwise verdict. @public */
export type PairwiseVerdict = 'model_a' | 'model_b' | 'tie';

/** Judge-vs-human agreement. @public */
export interface JudgeAgreement {
  /** Same verdict, over all comparisons. */
  readonly withTies: number;
  /** Same verdict, over comparisons where neither voted a tie (NaN when there are none). */
  readonly withoutTies: number;
  /** Cohen's kappa over all comparisons. */
  readonly kappa: number;
  readonly comparisons: number;
  readonly comparisonsWithoutTies: number;
}

/**
 * @example
 * ```ts
 * judgeHumanAgreement(['model_a', 'tie', 'model_b'], ['model_a', 'model_a', 'model_a']);
 * // { withTies: 1/3, withoutTies: 1/2, … }
 * ```
 * @public
 */
export function judgeHumanAgreement(
  judge: readonly PairwiseVerdict[],
  human: readonly PairwiseVerdict[],
): JudgeAgreement {
  const fn = 'judgeHumanAgreement';
  const j = nonEmptyArray<PairwiseVerdict>(fn, 'judge', judge);
  const h = nonEmptyArray<PairwiseVerdict>(fn, 'human', human);
  check.sameLength(fn, 'judge', j.length, 'human', h.length);
  let same = 0;
  let strict = 0;
  let strictSame = 0;
  for (let i = 0; i < j.length; i++) {
    const a = verdict(fn, `judge[${i}]`, j[i]);
    const b = verdict(fn, `human[${i}]`, h[i]);
    if (a === b) same++;
    if (a !== 'tie' && b !== 'tie') {
      strict++;
      if (a === b) strictSame++;
    }
  }
  return {
    withTies: same / j.length,
    withoutTies: strict === 0 ? Number.NaN : strictSame / strict,
    kappa: cohenKappa(j, h),
    comparisons: j.length,
    comparisonsWithoutTies: strict,
  };
}

function verdict(fn: string, argument: string, value: unknown): PairwiseVerdict {
  if (value === 'tie (bothbad)') return 'tie';
  if (value !== 'model_a' && value !== 'model_b' && value !== 'tie') {
    invalid(
      fn,
      argument,
      `expected 'model_a', 'model_b' or 'tie', received ${describeValue(value)}.`,
    );
  }
  return value;
}
