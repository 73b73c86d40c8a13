import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCompute } from './compute.js';
import { TensorError } from './errors.js';
import { dispose } from './memory.js';
import * as ops from './ops.js';
import {
  loadSafetensorsFile,
  openSafetensorsFile,
  saveSafetensorsFile,
  writeSafetensorsFile,
} from './safetensorsFile.js';

const golden = new URL('../test/fixtures/golden.safetensors', import.meta.url).pathname;
let dir: string;

beforeAll(async () => {
  await initCompute({ backend: 'cpu' });
  dir = mkdtempSync(join(tmpdir(), 'llmkit-safetensors-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openSafetensorsFile', () => {
  it('reads the header, then only the bytes of the tensors asked for', async () => {
    const reader = await openSafetensorsFile(golden);
    const headerBytes = reader.header.dataOffset;
    expect(reader.bytesRead).toBe(headerBytes);
    const entry = await reader.read('transformer.wte.weight');
    expect(entry.data.byteLength).toBe(60);
    expect(reader.bytesRead).toBe(headerBytes + 60);
    const t = await reader.readTensor('uint8');
    expect(Array.from(t.dataSync())).toEqual([0, 1, 255]);
    expect(reader.bytesRead).toBe(headerBytes + 63);
    await expect(reader.read('missing')).rejects.toThrow(/has no tensor named "missing"/);
    await reader.close();
    t.dispose();
  });

  it('refuses a truncated file before reading any tensor', async () => {
    const path = join(dir, 'truncated.safetensors');
    writeFileSync(path, readFileSync(golden).subarray(0, 1000));
    const error = await openSafetensorsFile(path).catch((e: unknown) => e as TensorError);
    expect(error).toBeInstanceOf(TensorError);
    expect((error as TensorError).code).toBe('CORRUPT_DATA');
    expect((error as TensorError).message).toMatch(
      /openSafetensorsFile\(bytes\): .*the file is truncated/,
    );
  });
});

describe('loadSafetensorsFile', () => {
  it('loads tensors with progress, and cancels cleanly', async () => {
    const seen: number[] = [];
    const { tensors } = await loadSafetensorsFile(golden, {
      names: ['int8', 'uint8', 'scalar'],
      onProgress: (p) => seen.push(p.tensors * 1000 + p.bytes),
    });
    expect(seen).toEqual([1003, 2006, 3010]);
    dispose(tensors);
    const controller = new AbortController();
    controller.abort();
    await expect(loadSafetensorsFile(golden, { signal: controller.signal })).rejects.toThrow(
      /loading was cancelled/,
    );
  });
});

describe('atomic writes', () => {
  it('saves tensors that load back, leaving no temporary file', async () => {
    const path = join(dir, 'model.safetensors');
    const w = ops.tensor([
      [1, 2],
      [3, 4],
    ]);
    await saveSafetensorsFile(path, { w }, { floatDtype: 'BF16', metadata: { format: 'pt' } });
    const { tensors, metadata } = await loadSafetensorsFile(path);
    expect(metadata).toEqual({ format: 'pt' });
    expect(Array.from(tensors.w!.dataSync())).toEqual([1, 2, 3, 4]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    dispose([w, tensors]);
  });

  it('leaves the previous file intact when a write fails or is cancelled', async () => {
    const path = join(dir, 'keep.safetensors');
    await writeSafetensorsFile(path, {
      a: { dtype: 'U8', shape: [2], data: new Uint8Array([7, 8]) },
    });
    const before = readFileSync(path);
    // Invalid input fails before any byte is written.
    await expect(
      writeSafetensorsFile(path, { a: { dtype: 'F32', shape: [2], data: new Uint8Array(3) } }),
    ).rejects.toThrow(/needs 8 bytes of data/);
    const controller = new AbortController();
    controller.abort();
    await expect(
      writeSafetensorsFile(
        path,
        { b: { dtype: 'U8', shape: [1], data: new Uint8Array(1) } },
        { signal: controller.signal },
      ),
    ).rejects.toThrow(/cancelled; the target file is unchanged/);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(path)).toBe(true);
  });
});
