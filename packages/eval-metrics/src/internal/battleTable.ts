/** Battle lists or tables, as the rating functions accept them. */
import { describeValue } from '@llmkit/numeric';
import { type Battle, BattleCounts } from '../battles.js';
import type { ChunkedOptions } from '../chunkedOptions.js';
import { invalid } from './check.js';
import { chunking, visitInChunks } from './chunks.js';

/** A table from battles (synchronously), or an existing table as is. */
export function battleCountsOf(
  fn: string,
  battles: readonly Battle[] | BattleCounts,
): BattleCounts {
  if (battles instanceof BattleCounts) return battles;
  if (!Array.isArray(battles)) notBattles(fn, battles);
  const table = new BattleCounts();
  for (let i = 0; i < battles.length; i++) table.record(fn, i, battles[i]);
  return table;
}

/** A table from battles built in yielding chunks, or an existing table as is. */
export async function battleCountsOfAsync(
  fn: string,
  battles: readonly Battle[] | BattleCounts,
  options: ChunkedOptions,
): Promise<BattleCounts> {
  if (battles instanceof BattleCounts) return battles;
  if (!Array.isArray(battles)) notBattles(fn, battles);
  const table = new BattleCounts();
  const visit = (battle: Battle, i: number) => table.record(fn, i, battle);
  await visitInChunks(fn, 'battles', battles, visit, chunking(fn, options));
  return table;
}

function notBattles(fn: string, battles: unknown): never {
  return invalid(
    fn,
    'battles',
    `expected an array of battles or a BattleCounts, received ${describeValue(battles)}.`,
  );
}
