import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JudgeLog } from '../judgeLog.js';
import { FileJudgeLogStorage } from './fileJudgeLogStorage.js';

const folders: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'judge-log-'));
  folders.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('FileJudgeLogStorage', () => {
  it('appends durably, reopens, and repairs a torn last line atomically', async () => {
    const path = join(scratch(), 'log.jsonl');
    const storage = new FileJudgeLogStorage(path);
    expect(await storage.read()).toBeUndefined();
    const log = await JudgeLog.open(storage);
    await log.append('x', { p: 1 });
    await log.append('y', { p: 0 });
    await storage.close();
    writeFileSync(path, `${readFileSync(path, 'utf8')}{"id":"z","rec`);
    const storage2 = new FileJudgeLogStorage(path);
    const reopened = await JudgeLog.open(storage2);
    expect([...reopened.completed.keys()]).toEqual(['x', 'y']);
    expect(readFileSync(path, 'utf8').endsWith('{"id":"y","record":{"p":0}}\n')).toBe(true);
    await reopened.append('z', { p: 0.5 });
    await storage2.close();
    expect((await JudgeLog.open(new FileJudgeLogStorage(path))).completed.size).toBe(3);
  });

  it('survives a process killed mid-run: every acknowledged record is there', async () => {
    const path = join(scratch(), 'killed.jsonl');
    const source = new URL('./fileJudgeLogStorage.ts', import.meta.url).pathname;
    const logSource = new URL('../judgeLog.ts', import.meta.url).pathname;
    // The child appends records and prints each id once its append has resolved.
    const script = `
      const { FileJudgeLogStorage } = await import(${JSON.stringify(source)});
      const { JudgeLog } = await import(${JSON.stringify(logSource)});
      const log = await JudgeLog.open(new FileJudgeLogStorage(${JSON.stringify(path)}));
      for (let i = 0; ; i++) { await log.append('item-' + i, { text: 'x'.repeat(500) }); process.stdout.write(i + '\\n'); }
    `;
    const child = spawn(
      process.execPath,
      ['--conditions=@llmkit/source', '--import', 'tsx', '--input-type=module', '-e', script],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let acknowledged = -1;
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) => {
      exited.then(() => resolve());
      child.stdout.on('data', (chunk: Buffer) => {
        const lines = chunk.toString().trim().split('\n');
        acknowledged = Number(lines[lines.length - 1]);
        if (acknowledged >= 20) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    expect(await exited).toBeNull(); // killed by the signal, not exited on its own
    expect(acknowledged).toBeGreaterThanOrEqual(20);
    const log = await JudgeLog.open(new FileJudgeLogStorage(path));
    for (let i = 0; i <= acknowledged; i++) expect(log.completed.has(`item-${i}`)).toBe(true);
    // And the repaired file parses line by line.
    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    for (const line of text.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    expect(execFileSync('ls', [join(path, '..')]).toString()).not.toMatch(/\.tmp/);
  }, 30_000);
});
