/**
 * The part of the Protocol Buffers wire format an ONNX writer needs
 * (https://protobuf.dev/programming-guides/encoding/): varints (wire type 0) for int32/int64/enum
 * fields, 32-bit little-endian floats (wire type 5), and length-delimited bytes (wire type 2) for
 * strings, bytes, nested messages and packed repeated scalars. Negative int64 values take ten
 * bytes, as two's complement, exactly as protobuf's own encoders write them.
 *
 * Left out: decoding, groups, zigzag (sint*) and fixed64 fields — ONNX uses none of them.
 */

const WIRE_VARINT = 0;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

const utf8 = new TextEncoder();

/** Accumulates one message; nested messages are written by `message(field, fill)`. */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private scratch: number[] = [];
  private length = 0;

  /** The bytes written so far. */
  finish(): Uint8Array {
    this.flush();
    if (this.chunks.length === 1) return this.chunks[0]!;
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  /** A varint field (int32, int64, enum, bool). `value` must be an integer. */
  varint(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.rawVarint(value);
    return this;
  }

  /** A 32-bit float field. */
  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.scratch.push(...bytes);
    this.length += 4;
    return this;
  }

  /** A string field, UTF-8 encoded. */
  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  /** A bytes field. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_BYTES);
    this.rawVarint(value.length);
    this.flush();
    this.chunks.push(value);
    this.length += value.length;
    return this;
  }

  /** A nested message field, filled by `fill`. */
  message(field: number, fill: (writer: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    fill(inner);
    return this.bytes(field, inner.finish());
  }

  /** A packed repeated varint field (written only when `values` is non-empty). */
  packedVarints(field: number, values: readonly (number | bigint)[]): this {
    if (values.length === 0) return this;
    const inner = new ProtoWriter();
    for (const value of values) inner.rawVarint(value);
    return this.bytes(field, inner.finish());
  }

  private tag(field: number, wireType: number): void {
    this.rawVarint(field * 8 + wireType);
  }

  private rawVarint(value: number | bigint): void {
    if (typeof value === 'number' && value >= 0 && value <= 0x7fffffff) {
      let v = value;
      while (v > 0x7f) {
        this.scratch.push((v & 0x7f) | 0x80);
        this.length++;
        v >>>= 7;
      }
      this.scratch.push(v);
      this.length++;
      return;
    }
    // 64-bit two's complement: negative values become ten-byte varints.
    let v = BigInt.asUintN(64, BigInt(value));
    while (v > 0x7fn) {
      this.scratch.push(Number(v & 0x7fn) | 0x80);
      this.length++;
      v >>= 7n;
    }
    this.scratch.push(Number(v));
    this.length++;
  }

  private flush(): void {
    if (this.scratch.length === 0) return;
    this.chunks.push(Uint8Array.from(this.scratch));
    this.scratch = [];
  }
}
