/**
 * safetensors files on disk, read without loading the file twice: the header is read and
 * validated against the file's size first, then each tensor's bytes are read once, with
 * positional reads, straight into the buffer that becomes its data; nothing else is read.
 * Writes are atomic (`writeFileAtomic`). Node only (`@llmkit/tensor-gpu/node`).
 */
import { type FileHandle, open } from 'node:fs/promises';
import { TensorError } from './errors.js';
import { tf } from './internal/engine.js';
import { entryBytes, layoutSafetensors, type SafetensorsWriteOptions } from './safetensors.js';
import {
  headerLength,
  parseHeader,
  type SafetensorsEntry,
  type SafetensorsHeader,
  type SafetensorsReadOptions,
} from './safetensorsHeader.js';
import {
  entriesFromTensors,
  type LoadedSafetensors,
  type LoadSafetensorsOptions,
  type SaveSafetensorsOptions,
  tensorFromEntry,
} from './safetensorsTensors.js';
import type { NamedTensors, Tensor } from './tensor.js';
import { type WriteFileAtomicOptions, writeFileAtomic } from './writeFileAtomic.js';

/** An open safetensors file; read tensors one at a time, then `close()`. @public */
export interface SafetensorsFileReader {
  readonly path: string;
  /** The validated header: names, dtypes, shapes and byte ranges of every tensor. */
  readonly header: SafetensorsHeader;
  /** Bytes read from the file so far (header included). */
  readonly bytesRead: number;
  /** One tensor's raw entry (its data in a fresh, aligned buffer). */
  read(name: string): Promise<SafetensorsEntry & { readonly data: Uint8Array }>;
  /** One tensor as an engine tensor. */
  readTensor(name: string): Promise<Tensor>;
  close(): Promise<void>;
}

async function readExactly(
  fn: string,
  file: FileHandle,
  length: number,
  position: number,
): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  for (let filled = 0; filled < length; ) {
    const { bytesRead } = await file.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) {
      throw new TensorError({
        code: 'CORRUPT_DATA',
        fn,
        argument: 'path',
        detail: `the file ended at byte ${position + filled}, before the ${length} bytes its header promised at ${position}: it was truncated or changed while open.`,
      });
    }
    filled += bytesRead;
  }
  return buffer;
}

/**
 * Opens a safetensors file and validates its header against the file size.
 * @throws TensorError `CORRUPT_DATA` for a malformed, truncated or lying header.
 * @public
 */
export async function openSafetensorsFile(
  path: string,
  options: SafetensorsReadOptions = {},
): Promise<SafetensorsFileReader> {
  const fn = 'openSafetensorsFile';
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const prefix = size >= 8 ? await readExactly(fn, file, 8, 0) : new Uint8Array(0);
    const n = headerLength(fn, prefix, size, options.maxHeaderBytes);
    const header = parseHeader(fn, await readExactly(fn, file, n, 8), size);
    const byName = new Map(header.tensors.map((t) => [t.name, t]));
    let bytesRead = 8 + n;
    const read = async (name: string): Promise<SafetensorsEntry & { data: Uint8Array }> => {
      const info = byName.get(name);
      if (info === undefined) {
        throw new TensorError({
          code: 'INVALID_ARGUMENT',
          fn: 'SafetensorsFileReader.read',
          argument: 'name',
          detail: `${path} has no tensor named ${JSON.stringify(name)}.`,
        });
      }
      const data = await readExactly(
        'SafetensorsFileReader.read',
        file,
        info.byteLength,
        info.byteOffset,
      );
      bytesRead += info.byteLength;
      return { dtype: info.dtype, shape: info.shape, data };
    };
    return {
      path,
      header,
      get bytesRead() {
        return bytesRead;
      },
      read,
      readTensor: async (name) => tensorFromEntry(await read(name), name, false),
      close: () => file.close(),
    };
  } catch (error) {
    await file.close();
    throw error;
  }
}

/** Progress of {@link loadSafetensorsFile}. @public */
export interface LoadProgress {
  readonly tensors: number;
  readonly totalTensors: number;
  readonly bytes: number;
  readonly totalBytes: number;
}

/** Options of {@link loadSafetensorsFile}. @public */
export interface LoadSafetensorsFileOptions extends LoadSafetensorsOptions {
  /** Called after each tensor. */
  readonly onProgress?: (progress: LoadProgress) => void;
  /** Cancels between tensors; tensors loaded so far are freed. */
  readonly signal?: AbortSignal;
}

/**
 * Loads tensors from a safetensors file, one positional read per tensor.
 * @public
 */
export async function loadSafetensorsFile(
  path: string,
  options: LoadSafetensorsFileOptions = {},
): Promise<LoadedSafetensors> {
  const reader = await openSafetensorsFile(path, options);
  const tensors: NamedTensors = {};
  try {
    const names = options.names ?? reader.header.tensors.map((t) => t.name);
    const sizes = new Map(reader.header.tensors.map((t) => [t.name, t.byteLength]));
    const totalBytes = names.reduce((n, name) => n + (sizes.get(name) ?? 0), 0);
    let bytes = 0;
    for (const name of names) {
      if (options.signal?.aborted) {
        throw new TensorError({
          code: 'ABORTED',
          fn: 'loadSafetensorsFile',
          argument: 'options.signal',
          detail: 'loading was cancelled.',
        });
      }
      tensors[name] = await reader.readTensor(name);
      bytes += sizes.get(name) ?? 0;
      options.onProgress?.({
        tensors: Object.keys(tensors).length,
        totalTensors: names.length,
        bytes,
        totalBytes,
      });
    }
    return { tensors, metadata: reader.header.metadata };
  } catch (error) {
    tf.dispose(Object.values(tensors));
    throw error;
  } finally {
    await reader.close();
  }
}

/** Options of {@link writeSafetensorsFile}. @public */
export interface WriteSafetensorsFileOptions
  extends SafetensorsWriteOptions,
    WriteFileAtomicOptions {}

/**
 * Writes entries to a safetensors file atomically, streaming each tensor's bytes (no copy of
 * the whole file is assembled in memory).
 * @public
 */
export async function writeSafetensorsFile(
  path: string,
  entries: Readonly<Record<string, SafetensorsEntry>>,
  options: WriteSafetensorsFileOptions = {},
): Promise<void> {
  const { header, order } = layoutSafetensors('writeSafetensorsFile', entries, options);
  await writeFileAtomic(path, [header, ...order.map(([, entry]) => entryBytes(entry))], options);
}

/** Options of {@link saveSafetensorsFile}. @public */
export interface SaveSafetensorsFileOptions
  extends SaveSafetensorsOptions,
    WriteFileAtomicOptions {}

/** Saves engine tensors to a safetensors file atomically. @public */
export async function saveSafetensorsFile(
  path: string,
  tensors: NamedTensors,
  options: SaveSafetensorsFileOptions = {},
): Promise<void> {
  await writeSafetensorsFile(path, await entriesFromTensors(tensors, options.floatDtype), options);
}
