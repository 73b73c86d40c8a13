import { describe, expect, it } from 'vitest';
import { JudgeLog, MemoryJudgeLogStorage } from './judgeLog.js';

describe('JudgeLog', () => {
  it('starts empty, appends records as JSONL and reads them back', async () => {
    const storage = new MemoryJudgeLogStorage();
    const log = await JudgeLog.open<{ p: number }>(storage);
    expect(log.completed.size).toBe(0);
    await Promise.all([log.append('a', { p: 1 }), log.append('b', { p: 0.5 })]);
    expect(storage.text).toBe('{"id":"a","record":{"p":1}}\n{"id":"b","record":{"p":0.5}}\n');
    const reopened = await JudgeLog.open<{ p: number }>(storage);
    expect([...reopened.completed.entries()]).toEqual([
      ['a', { p: 1 }],
      ['b', { p: 0.5 }],
    ]);
  });

  it('drops a torn last line and repairs the log so appends start on a clean line', async () => {
    const storage = new MemoryJudgeLogStorage('{"id":"a","record":1}\n{"id":"b","rec');
    const log = await JudgeLog.open(storage);
    expect([...log.completed.keys()]).toEqual(['a']);
    expect(storage.text).toBe('{"id":"a","record":1}\n');
    await log.append('b', 2);
    expect((await JudgeLog.open(storage)).completed.get('b')).toBe(2);
  });

  it('keeps a complete last record that only lacks its newline', async () => {
    const storage = new MemoryJudgeLogStorage('{"id":"a","record":1}');
    const log = await JudgeLog.open(storage);
    expect(log.completed.get('a')).toBe(1);
    expect(storage.text).toBe('{"id":"a","record":1}\n');
  });

  it('refuses a log corrupted before its last line, and lets the last record of an id win', async () => {
    await expect(
      JudgeLog.open(new MemoryJudgeLogStorage('garbage\n{"id":"a","record":1}\n')),
    ).rejects.toThrow(/line 1 .* corrupt/);
    const log = await JudgeLog.open(
      new MemoryJudgeLogStorage('{"id":"a","record":1}\n\n{"id":"a","record":2}\n'),
    );
    expect(log.completed.get('a')).toBe(2);
    await expect(JudgeLog.open({} as never)).rejects.toThrow(/JudgeLogStorage/);
  });
});
