/**
 * The ordinary-text half of encoding: pre-tokenize, look each piece up in the cache, else as a
 * whole token, else merge it; collect the ids (or only count them).
 *
 * The cache maps a piece to its id (≥ 0) or, when it has several, to
 * `-(offset × ARENA_LENGTHS + count) − 1` into one shared arena of ids: plain numbers keep a
 * large cache cheap for the garbage collector. It is emptied, arena included, when full.
 */
import type { PreTokenizer } from '../preTokenizer.js';
import type { TokenBytes } from '../tokenBytes.js';
import type { BpeMerger } from './bpeMerge.js';
import { PieceCache } from './pieceCache.js';
import { encodeUtf8Into } from './utf8.js';

const MAX_CACHED_PIECE = 128;
/** More than the most ids a cached piece (≤ 128 UTF-16 units, ≤ 384 bytes) can have. */
const ARENA_LENGTHS = 1024;

export interface PieceEncoderInit {
  readonly vocab: TokenBytes;
  readonly merger: BpeMerger;
  readonly byteIds: Int32Array;
  readonly preTokenizer: PreTokenizer;
  readonly ignoreMerges: boolean;
  readonly cacheSize: number;
}

export class PieceEncoder {
  readonly #vocab: TokenBytes;
  readonly #merger: BpeMerger;
  readonly #byteIds: Int32Array;
  readonly #preTokenizer: PreTokenizer;
  readonly #ignoreMerges: boolean;
  readonly #cache: PieceCache;
  #arena = new Uint32Array(4096);
  #arenaLength = 0;
  #out = new Uint32Array(1024);
  #outLen = 0;
  #counting = false;
  #scratch = new Uint8Array(1024);
  #pieceIds = new Uint32Array(1024);

  constructor(init: PieceEncoderInit) {
    this.#vocab = init.vocab;
    this.#merger = init.merger;
    this.#byteIds = init.byteIds;
    this.#preTokenizer = init.preTokenizer;
    this.#ignoreMerges = init.ignoreMerges;
    this.#cache = new PieceCache(init.cacheSize);
  }

  /** Starts a call: collect ids, or only count them. */
  begin(counting: boolean): void {
    this.#outLen = 0;
    this.#counting = counting;
  }

  /** How many ids the call has so far. */
  get length(): number {
    return this.#outLen;
  }

  /** A copy of the call's ids. */
  takeIds(): Uint32Array {
    const ids = this.#out.slice(0, this.#outLen);
    // Let a one-off huge output buffer go once the result is copied out.
    if (this.#out.length > 1 << 22) this.#out = new Uint32Array(1024);
    return ids;
  }

  /** Adds one id. */
  push(id: number): void {
    if (this.#counting) {
      this.#outLen++;
      return;
    }
    if (this.#outLen === this.#out.length) this.#grow(1);
    this.#out[this.#outLen++] = id;
  }

  #grow(extra: number): void {
    const next = new Uint32Array(Math.max(this.#out.length * 2, this.#outLen + extra));
    next.set(this.#out.subarray(0, this.#outLen));
    this.#out = next;
  }

  /** Pre-tokenizes `text[start, end)` and adds the ids of each piece. */
  ordinary(text: string, start: number, end: number): void {
    if (start >= end) return;
    if (this.#preTokenizer.usesRegex && (start !== 0 || end !== text.length)) {
      text = text.slice(start, end);
      end -= start;
      start = 0;
    }
    const scan = this.#preTokenizer.scan;
    for (let i = start; i < end; ) {
      const j = scan(text, i, end);
      if (j < 0) {
        i = ~j;
        continue;
      }
      this.#piece(text, i, j);
      i = j;
    }
  }

  #piece(text: string, start: number, end: number): void {
    if (end - start === 1) {
      // One ASCII character is one byte, hence one token: no cache needed.
      const c = text.charCodeAt(start);
      if (c < 128) {
        this.push(this.#byteIds[c]!);
        return;
      }
    }
    const cacheable = end - start <= MAX_CACHED_PIECE;
    const hit = cacheable ? this.#cache.get(text, start, end) : undefined;
    if (hit !== undefined) {
      if (hit >= 0) this.push(hit);
      else {
        // A multi-token piece: its ids live in the arena (see #remember).
        const packed = -hit - 1;
        const at = Math.floor(packed / ARENA_LENGTHS);
        this.#pushAll(this.#arena.subarray(at, at + (packed % ARENA_LENGTHS)));
      }
      return;
    }
    const n = this.#mergePiece(text, start, end);
    if (n === 1) {
      const id = this.#pieceIds[0]!;
      if (cacheable) this.#remember(text, start, end, id);
      this.push(id);
    } else {
      const ids = this.#pieceIds.subarray(0, n);
      if (cacheable) this.#remember(text, start, end, this.#store(ids));
      this.#pushAll(ids);
    }
  }

  /** Caches a piece's value, emptying the cache (and its arena) when full. */
  #remember(text: string, start: number, end: number, value: number): void {
    const cache = this.#cache;
    if (cache.full) {
      cache.clear();
      this.#arenaLength = 0;
      if (value < 0) value = this.#store(this.#pieceIds.subarray(0, (-value - 1) % ARENA_LENGTHS));
      cache.get(text, start, end);
    }
    cache.set(text, start, end, value);
  }

  /** Appends several ids to the arena; returns the packed cache value that finds them. */
  #store(ids: Uint32Array): number {
    const at = this.#arenaLength;
    if (at + ids.length > this.#arena.length) {
      const grown = new Uint32Array(Math.max(this.#arena.length * 2, at + ids.length));
      grown.set(this.#arena.subarray(0, at));
      this.#arena = grown;
    }
    this.#arena.set(ids, at);
    this.#arenaLength = at + ids.length;
    return -(at * ARENA_LENGTHS + ids.length) - 1;
  }

  #pushAll(ids: Uint32Array): void {
    if (this.#counting) {
      this.#outLen += ids.length;
      return;
    }
    if (this.#outLen + ids.length > this.#out.length) this.#grow(ids.length);
    this.#out.set(ids, this.#outLen);
    this.#outLen += ids.length;
  }

  /** Merges a piece into `#pieceIds`; returns how many ids. */
  #mergePiece(text: string, start: number, end: number): number {
    const units = end - start;
    if (this.#scratch.length < units * 3) this.#scratch = new Uint8Array(units * 3 * 2);
    const bytes = this.#scratch;
    const n = encodeUtf8Into(text, start, end, bytes);
    if (this.#pieceIds.length < n) this.#pieceIds = new Uint32Array(n * 2);
    if (n === 1) {
      this.#pieceIds[0] = this.#byteIds[bytes[0]!]!;
      return 1;
    }
    if (this.#ignoreMerges) {
      const id = this.#vocab.lookup(bytes, 0, n);
      if (id >= 0) {
        this.#pieceIds[0] = id;
        return 1;
      }
    }
    return this.#merger.merge(bytes, n, this.#pieceIds, 0);
  }
}
