import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './writeFileAtomic.js';

const dir = mkdtempSync(join(tmpdir(), 'llmkit-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('replaces the target with all chunks, sync or async', async () => {
    const path = join(dir, 'a.bin');
    writeFileSync(path, 'old');
    async function* chunks() {
      yield new Uint8Array([1, 2]);
      yield new Uint8Array([3]);
    }
    await writeFileAtomic(path, chunks());
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    await writeFileAtomic(path, [new Uint8Array(70_000).fill(9)]);
    expect(readFileSync(path).length).toBe(70_000);
  });

  it('keeps the old file and removes the temporary one when the data source fails midway', async () => {
    const path = join(dir, 'b.bin');
    writeFileSync(path, 'good');
    function* failing() {
      yield new Uint8Array(1024);
      throw new Error('disk full');
    }
    await expect(writeFileAtomic(path, failing())).rejects.toThrow('disk full');
    expect(readFileSync(path, 'utf8')).toBe('good');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('fails without side effects when the directory does not exist', async () => {
    await expect(
      writeFileAtomic(join(dir, 'missing', 'c.bin'), [new Uint8Array(1)]),
    ).rejects.toThrow(/ENOENT/);
  });
});
