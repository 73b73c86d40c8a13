/// <reference types="node" />
/**
 * A {@link JudgeLogStorage} in a file: appends are written and fsync'ed before they resolve, so
 * a crash loses at most the record being written (a torn last line, which `JudgeLog.open`
 * drops); `replace` writes a temporary file, fsyncs it, renames it over the log and fsyncs the
 * folder, so the log is never seen half-replaced.
 */
import { type FileHandle, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { JudgeLogStorage } from '../judgeLog.js';

/** A judge log kept in one append-only JSONL file. @public */
export class FileJudgeLogStorage implements JudgeLogStorage {
  /** The log's path. */
  readonly path: string;
  private handle: Promise<FileHandle> | undefined;

  constructor(path: string) {
    this.path = path;
  }

  async read(): Promise<string | undefined> {
    try {
      return await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async append(text: string): Promise<void> {
    this.handle ??= open(this.path, 'a');
    const handle = await this.handle;
    await handle.appendFile(text, 'utf8');
    await handle.datasync();
  }

  async replace(text: string): Promise<void> {
    await this.close();
    const temporary = `${this.path}.${process.pid}.tmp`;
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.path);
    const folder = await open(dirname(this.path), 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }

  /** Closes the append handle (appending reopens it). */
  async close(): Promise<void> {
    const pending = this.handle;
    this.handle = undefined;
    if (pending !== undefined) await (await pending).close();
  }
}
