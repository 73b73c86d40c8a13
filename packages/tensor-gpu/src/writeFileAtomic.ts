/**
 * Replacing a file so that a crash, a full disk or a cancelled write never leaves a partial
 * file where a good one stood: write a temporary file in the same directory, flush it to disk
 * (fsync), rename it over the target (atomic on POSIX file systems), then fsync the directory
 * so the rename itself survives a power cut. On any failure the temporary file is removed and
 * the target is untouched. Node only.
 */
import { randomUUID } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TensorError } from './errors.js';

/** Options of {@link writeFileAtomic}. @public */
export interface WriteFileAtomicOptions {
  /** Cancels the write; the target is left as it was. */
  readonly signal?: AbortSignal;
  /** File mode of a new file. @defaultValue 0o644 */
  readonly mode?: number;
}

function throwIfAborted(fn: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new TensorError({
      code: 'ABORTED',
      fn,
      argument: 'options.signal',
      detail: 'the write was cancelled; the target file is unchanged.',
    });
  }
}

/**
 * Writes `chunks` to `path` atomically (see the module note).
 * @example
 * ```ts
 * await writeFileAtomic('model.safetensors', [header, ...tensorBytes]);
 * ```
 * @public
 */
export async function writeFileAtomic(
  path: string,
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const fn = 'writeFileAtomic';
  throwIfAborted(fn, options.signal);
  const directory = dirname(path);
  const temporary = join(directory, `.${basename(path)}.${randomUUID()}.tmp`);
  const file = await open(temporary, 'wx', options.mode ?? 0o644);
  try {
    for await (const chunk of chunks) {
      throwIfAborted(fn, options.signal);
      for (let written = 0; written < chunk.byteLength; ) {
        const { bytesWritten } = await file.write(chunk, written, chunk.byteLength - written);
        written += bytesWritten;
      }
    }
    await file.sync();
    await file.close();
  } catch (error) {
    await file.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  // Persist the directory entry. Not every platform can open a directory (Windows); the data
  // are already safe there once rename returns.
  const dir = await open(directory, 'r').catch(() => undefined);
  if (dir !== undefined) {
    await dir.sync().catch(() => undefined);
    await dir.close();
  }
}
