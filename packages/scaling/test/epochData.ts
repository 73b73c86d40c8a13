/**
 * Loads Epoch AI's reconstruction of Hoffmann et al.'s Figure 4 (the 245 points of
 * github.com/epoch-research/analyzing-chinchilla, data/svg_extracted_data.csv) from the
 * workspace's shared data folder, `../shared/data` from the repository root, and prepares it
 * as Besiroglu et al. (2024) do: D = C/(6N), and the five highest-loss points dropped.
 * The data is test input only; it is never copied into the package.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ScalingPoint } from '../src/scalingPoint.js';

const root = new URL('../../../', import.meta.url);

/** Where the CSV must be: ../shared/data beside the repository root. */
export const epochCsv: URL = new URL(
  '../shared/data/epoch_chinchilla_svg_extracted_data.csv',
  root,
);

/** All 245 points, with D = C/(6N). `file` is for testing the missing-file message. */
export function loadEpochPoints(file: URL = epochCsv): ScalingPoint[] {
  if (!existsSync(file)) {
    throw new Error(
      `Epoch AI's Chinchilla data is missing: expected ${file.pathname} (../shared/data/epoch_chinchilla_svg_extracted_data.csv from the repository root). Put the file from github.com/epoch-research/analyzing-chinchilla (data/svg_extracted_data.csv) there.`,
    );
  }
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const columns = (header ?? '').split(',');
  const at = (name: string): number => {
    const index = columns.indexOf(name);
    if (index < 0) throw new Error(`${file.pathname}: no column ${JSON.stringify(name)}.`);
    return index;
  };
  const [n, c, l] = [at('Model Size'), at('Training FLOP'), at('loss')];
  return lines.map((line) => {
    const cells = line.split(',');
    const params = Number(cells[n]);
    return { params, tokens: Number(cells[c]) / (6 * params), loss: Number(cells[l]) };
  });
}

/** The 240 points of Besiroglu et al.'s main fit: losses below the fifth-highest. */
export function loadEpochFitPoints(): ScalingPoint[] {
  const points = loadEpochPoints();
  const cutoff = points.map((p) => p.loss).sort((a, b) => b - a)[4] as number;
  return points.filter((p) => p.loss < cutoff);
}
