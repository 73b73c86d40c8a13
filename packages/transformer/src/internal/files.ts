/** Reading the JSON files of model and checkpoint directories (Node). */
import { readFile } from 'node:fs/promises';
import { TransformerError } from '../errors.js';

/** Parses a JSON file, with errors that name the file. */
export async function readJson(fn: string, path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new TransformerError({
      code: 'INVALID_ARGUMENT',
      fn,
      argument: 'directory',
      detail: `cannot read ${path}: ${(error as Error).message}`,
    });
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new TransformerError({
      code: 'CORRUPT_DATA',
      fn,
      argument: 'directory',
      detail: `${path} is not JSON: ${(error as Error).message}`,
    });
  }
}
