import { describe, expect, it } from 'vitest';
import { fixture } from '../test/fixtures.js';
import { type BleuOptions, corpusBleu, sentenceBleu, tokenize13a } from './bleu.js';
import { rougeL, rougeLsum, rougeTokenize } from './rougeL.js';
import { exactMatch, normalizeAnswer, tokenF1 } from './squad.js';

interface TextFixture {
  squad: {
    prediction: string;
    reference: string;
    normalizedPrediction: string;
    normalizedReference: string;
    exactMatch: number;
    f1: number;
  }[];
  tokenize13a: { input: string; output: string }[];
  hypotheses: string[];
  corpus: {
    name: string;
    references: string[][];
    options: {
      lowercase?: boolean;
      smooth_method?: BleuOptions['smoothMethod'];
      tokenize?: 'none';
    };
    score: number;
    counts: number[];
    totals: number[];
    bp: number;
    sysLen: number;
    refLen: number;
  }[];
  sentence: { hypothesis: string; references: string[]; score: number }[];
}
const golden = fixture<TextFixture>('text.json');

describe('SQuAD exact match and F1', () => {
  it.each(golden.squad)('matches the official normalisation for $prediction', (c) => {
    expect(normalizeAnswer(c.prediction)).toBe(c.normalizedPrediction);
    expect(normalizeAnswer(c.reference)).toBe(c.normalizedReference);
    expect(exactMatch(c.prediction, c.reference)).toBe(c.exactMatch);
    expect(tokenF1(c.prediction, c.reference)).toBeCloseTo(c.f1, 15);
  });

  it('takes the best over several references and rejects non-strings', () => {
    expect(exactMatch('Paris', ['London', 'paris.'])).toBe(1);
    expect(tokenF1('the cat sat', ['a dog', 'a cat sat down'])).toBeCloseTo(0.8, 15);
    expect(() => tokenF1('x', [3 as never])).toThrow(/references\[0\]/);
    expect(() => normalizeAnswer(undefined as never)).toThrow(/text/);
  });
});

describe('BLEU (sacreBLEU)', () => {
  it.each(golden.tokenize13a)('tokenizes like 13a: $input', ({ input, output }) => {
    expect(tokenize13a(input)).toBe(output);
  });

  it.each(golden.corpus)('corpus BLEU matches sacrebleu.corpus_bleu ($name)', (c) => {
    const options: BleuOptions = {
      ...(c.options.lowercase ? { lowercase: true } : {}),
      ...(c.options.smooth_method ? { smoothMethod: c.options.smooth_method } : {}),
      ...(c.options.tokenize ? { tokenize: c.options.tokenize } : {}),
    };
    const r = corpusBleu(golden.hypotheses, c.references, options);
    expect(r.score).toBeCloseTo(c.score, 11);
    expect(r.brevityPenalty).toBeCloseTo(c.bp, 14);
    expect([r.hypothesisLength, r.referenceLength]).toEqual([c.sysLen, c.refLen]);
    // sacreBLEU reports add-k's smoothed counts; ours are the raw statistics.
    if (c.options.smooth_method !== 'add-k') {
      expect(r.counts).toEqual(c.counts);
      expect(r.totals).toEqual(c.totals);
    }
  });

  it.each(golden.sentence)('sentence BLEU matches sacrebleu.sentence_bleu: $hypothesis', (c) => {
    expect(sentenceBleu(c.hypothesis, c.references).score).toBeCloseTo(c.score, 11);
  });

  it('scores identical text 100 and rejects mismatched streams', () => {
    expect(corpusBleu(['a b c d e'], [['a b c d e']]).score).toBeCloseTo(100, 12);
    expect(() => corpusBleu(['a', 'b'], [['a']])).toThrow(/equal lengths/);
    expect(() => corpusBleu(['a'], [['a']], { smoothMethod: 'laplace' as never })).toThrow(
      /smoothMethod/,
    );
  });
});

describe('ROUGE-L (rouge_score)', () => {
  // rouge_score's rouge_scorer_test.py, whose "ground truth" comes from ROUGE-1.5.5 runs on
  // lines 0 and 1 of its testdata/target.txt and prediction.txt (Apache-2.0).
  const targets = [
    "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L",
    "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao Q m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN",
  ];
  const predictions = [
    "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi",
    "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD",
  ];

  it('matches ROUGE-1.5.5 on the rouge_score test lines', () => {
    const expected = [
      [0.6875, 0.40741, 0.51163],
      [0.65385, 0.40476, 0.5],
    ];
    for (let i = 0; i < 2; i++) {
      const s = rougeL(targets[i] as string, predictions[i] as string);
      const [p, r, f] = expected[i] as [number, number, number];
      expect(s.precision).toBeCloseTo(p, 5);
      expect(s.recall).toBeCloseTo(r, 5);
      expect(s.fmeasure).toBeCloseTo(f, 5);
    }
  });

  it("matches rouge_score's unit tests", () => {
    expect(rougeL('testing one two', 'testing one')).toEqual({
      precision: 1,
      recall: 2 / 3,
      fmeasure: 0.8,
    });
    expect(rougeL('testing one two', 'testing two').fmeasure).toBeCloseTo(0.8, 15);
    expect(rougeL('testing one two', '')).toEqual({ precision: 0, recall: 0, fmeasure: 0 });
    const sum = rougeLsum('w1 w2 w3 w4 w5', 'w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5');
    expect(sum.recall).toBeCloseTo(0.8, 15);
    expect(sum.precision).toBeCloseTo(0.4, 15);
    expect(sum.fmeasure).toBeCloseTo(0.5333, 3);
    expect(rougeLsum('w1 w2 w3 w4 w5', '/').fmeasure).toBe(0);
    expect(rougeTokenize("It's a café!")).toEqual(['it', 's', 'a', 'caf']);
  });
});
