/**
 * The reference values of test/fixtures/scipy-reference.json, computed by make_reference.py
 * with numpy and scipy (see that script for how each was obtained).
 */
import { readFileSync } from 'node:fs';

// biome-ignore lint/suspicious/noExplicitAny: JSON fixture, read field by field in the tests.
export const scipyReference: any = JSON.parse(
  readFileSync(new URL('./fixtures/scipy-reference.json', import.meta.url), 'utf8'),
);
