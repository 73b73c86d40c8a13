import { describe, expect, it } from 'vitest';
import { argumentChecks, describeValue } from './argumentChecks.js';
import { LlmkitError, type NumericError } from './errors.js';

class DemoError extends LlmkitError {
  constructor(init: ConstructorParameters<typeof NumericError>[0]) {
    super('demo', init);
  }
}
const check = argumentChecks((init) => new DemoError(init));

describe('argumentChecks', () => {
  it("throws the package's own error class with code, function, argument and value", () => {
    try {
      check.positive('planRun', 'options.gpus', -2);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DemoError);
      expect(error).toBeInstanceOf(LlmkitError);
      const e = error as DemoError;
      expect(e.name).toBe('DemoError');
      expect(e.code).toBe('INVALID_ARGUMENT');
      expect(e.fn).toBe('planRun');
      expect(e.argument).toBe('options.gpus');
      expect(e.message).toBe(
        '@llmkit/demo: planRun(options.gpus): expected a number > 0, received -2.',
      );
    }
  });

  it('distinguishes wrong types, non-finite values, empty and mismatched inputs', () => {
    const codeOf = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (error) {
        return (error as DemoError).code;
      }
      return undefined;
    };
    expect(codeOf(() => check.finite('f', 'x', '3'))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => check.finite('f', 'x', Number.NaN))).toBe('NON_FINITE');
    expect(codeOf(() => check.finiteArray('f', 'xs', [], 1))).toBe('EMPTY_INPUT');
    expect(codeOf(() => check.finiteArray('f', 'xs', [1, Number.POSITIVE_INFINITY]))).toBe(
      'NON_FINITE',
    );
    expect(codeOf(() => check.sameLength('f', 'a', 1, 'b', 2))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => check.integer('f', 'k', 2.5))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => check.probability('f', 'p', 1.01))).toBe('INVALID_ARGUMENT');
    expect(check.integer('f', 'k', 3, { min: 0, max: 3 })).toBe(3);
  });

  it('describes values safely and briefly', () => {
    expect(describeValue(-0)).toBe('-0');
    expect(describeValue('x'.repeat(100))).toMatch(/^"x{40}…"$/);
    expect(describeValue(new Float32Array(3))).toBe('a Float32Array of length 3');
    expect(describeValue([1, 2])).toBe('an array of length 2');
    expect(describeValue(Object.create(null))).toBe('an object (Object)');
    expect(describeValue(5n)).toBe('5n');
  });
});
