/**
 * A service that embeds an arena leaderboard: battles arrive as an append-only JSONL log in the
 * public arena format, the service keeps mergeable counts (no battle list in memory), serves a
 * Bradley–Terry leaderboard with bootstrap intervals and interval ranks over HTTP, and a live
 * online-Elo ticker as votes come in. Runs in a few seconds on its own synthetic log.
 *
 * Run: node --conditions=@llmkit/source --import tsx examples/arena-leaderboard.ts
 */
import { appendFileSync, createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  type Battle,
  BattleCounts,
  type BootstrapRatingsResult,
  bootstrapRatings,
  OnlineElo,
} from '@llmkit/eval-metrics';
import { Random } from '@llmkit/numeric';

// 1. A synthetic battle log: 6 models, 6,000 votes, 12% ties, and a torn last line as a crashed
//    writer would leave it.
const dir = mkdtempSync(join(tmpdir(), 'arena-'));
const logPath = join(dir, 'battles.jsonl');
const rng = new Random(42);
const models = {
  'llama-3-70b': 1.0,
  'gpt-4o': 1.4,
  'claude-3-5': 1.35,
  'mixtral-8x7b': 0.3,
  'gemma-2-9b': 0.2,
  'phi-3': -0.4,
};
const names = Object.keys(models) as (keyof typeof models)[];
const lines: string[] = [];
for (let i = 0; i < 6000; i++) {
  const a = names[rng.int(names.length)] as keyof typeof models;
  let b = a;
  while (b === a) b = names[rng.int(names.length)] as keyof typeof models;
  const p = 1 / (1 + Math.exp(models[b] - models[a]));
  const u = rng.uniform();
  const winner =
    u < 0.12 ? (u < 0.04 ? 'tie (bothbad)' : 'tie') : u < 0.12 + 0.88 * p ? 'model_a' : 'model_b';
  lines.push(JSON.stringify({ model_a: a, model_b: b, winner, tstamp: 1_700_000_000 + i }));
}
writeFileSync(logPath, `${lines.join('\n')}\n{"model_a": "gpt-4o", "model_b": "ph`);

// 2. The service state: counts and a live Elo ticker, loaded by streaming the log.
const counts = new BattleCounts();
const ticker = new OnlineElo({ k: 4 });
let skipped = 0;
const input = createInterface({
  input: createReadStream(logPath, 'utf8'),
  crlfDelay: Number.POSITIVE_INFINITY,
});
for await (const line of input) {
  if (line.trim() === '') continue;
  let battle: Battle;
  try {
    battle = JSON.parse(line);
  } catch {
    skipped++; // a torn last line: the writer died mid-append
    continue;
  }
  counts.add(battle);
  ticker.update(battle);
}

let cached: { battles: number; result: BootstrapRatingsResult } | undefined;
async function leaderboard(): Promise<BootstrapRatingsResult> {
  // Recompute only when new battles arrived; the bootstrap yields to the event loop as it runs.
  if (cached?.battles !== counts.battles) {
    cached = {
      battles: counts.battles,
      result: await bootstrapRatings(counts, { rounds: 300, seed: 1 }),
    };
  }
  return cached.result;
}

// 3. HTTP: GET /leaderboard, GET /live, POST /battles (one battle as JSON, appended to the log).
const server = createServer(async (req, res) => {
  try {
    if (req.method === 'GET' && req.url === '/leaderboard') {
      const { leaderboard: rows, fit } = await leaderboard();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ battles: fit.battles, gradientNorm: fit.gradientNorm, rows }));
    } else if (req.method === 'GET' && req.url === '/live') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ticker.ratings));
    } else if (req.method === 'POST' && req.url === '/battles') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const battle = JSON.parse(body) as Battle;
      counts.add(battle); // validates: a bad vote is rejected before it reaches the log
      ticker.update(battle);
      appendFileSync(logPath, `${JSON.stringify(battle)}\n`);
      res.writeHead(204).end();
    } else {
      res.writeHead(404).end();
    }
  } catch (error) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end((error as Error).message);
  }
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// 4. A client: read the board, vote, read it again, and try a malformed vote.
const show = async () => {
  const board = (await (await fetch(`${base}/leaderboard`)).json()) as {
    battles: number;
    gradientNorm: number;
    rows: {
      rank: number;
      model: string;
      rating: number;
      lower: number;
      upper: number;
      battles: number;
    }[];
  };
  console.log(
    `${board.battles} battles, fit gradient ∞-norm ${board.gradientNorm.toExponential(1)}`,
  );
  console.log('rank  model           rating   95% interval      battles');
  for (const r of board.rows) {
    console.log(
      `${String(r.rank).padStart(4)}  ${r.model.padEnd(14)}  ${r.rating.toFixed(1).padStart(6)}   [${r.lower.toFixed(1)}, ${r.upper.toFixed(1)}]   ${r.battles}`,
    );
  }
};
console.log(`log: ${lines.length} battles read, ${skipped} torn line skipped\n`);
await show();
for (let i = 0; i < 20; i++) {
  await fetch(`${base}/battles`, {
    method: 'POST',
    body: JSON.stringify({ model_a: 'phi-3', model_b: 'gpt-4o', winner: 'model_a' }),
  });
}
console.log('\nafter 20 upset votes for phi-3:');
await show();
const live = (await (await fetch(`${base}/live`)).json()) as Record<string, number>;
console.log(
  `\nlive Elo (k = 4): phi-3 ${live['phi-3']?.toFixed(1)}, gpt-4o ${live['gpt-4o']?.toFixed(1)}`,
);
const bad = await fetch(`${base}/battles`, {
  method: 'POST',
  body: JSON.stringify({ model_a: 'phi-3', model_b: 'phi-3', winner: 'model_a' }),
});
console.log(`malformed vote → HTTP ${bad.status}: ${await bad.text()}`);

server.close();
rmSync(dir, { recursive: true, force: true });
