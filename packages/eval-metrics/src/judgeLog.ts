/**
 * An append-only JSONL log of judged items, so an interrupted judging run resumes without
 * re-judging what was done. The log sits on a small {@link JudgeLogStorage} interface, so the
 * core stays browser-safe: {@link MemoryJudgeLogStorage} here, a durable file implementation in
 * `@llmkit/eval-metrics/node` (append + fsync; repairs by temp file + fsync + rename).
 *
 * Format: one JSON object per line, `{"id": "<item id>", "record": <any JSON>}`. A process that
 * dies mid-append leaves at most a torn last line; `open` drops it (and rewrites the log without
 * it) so later appends start on a clean line. A bad line anywhere else is corruption and throws.
 */
import { EvalMetricsError } from './errors.js';
import { invalid } from './internal/check.js';

/** Where a judge log lives. Implementations must make `append` durable before resolving. @public */
export interface JudgeLogStorage {
  /** The whole log, or `undefined` when it does not exist yet. */
  read(): Promise<string | undefined>;
  /** Appends `text` (whole lines, each ending in `\n`) at the end, durably. */
  append(text: string): Promise<void>;
  /** Replaces the whole log atomically (used once, to drop a torn last line). */
  replace(text: string): Promise<void>;
}

/** A {@link JudgeLogStorage} in memory, for tests, browsers and short-lived runs. @public */
export class MemoryJudgeLogStorage implements JudgeLogStorage {
  /** The log text, readable for inspection. */
  text: string | undefined;

  constructor(initial?: string) {
    this.text = initial;
  }

  async read(): Promise<string | undefined> {
    return this.text;
  }

  async append(text: string): Promise<void> {
    this.text = (this.text ?? '') + text;
  }

  async replace(text: string): Promise<void> {
    this.text = text;
  }
}

/** An opened judge log: the records already there, and a durable `append`. @public */
export class JudgeLog<R = unknown> {
  private readonly storage: JudgeLogStorage;
  private readonly done: Map<string, R>;
  private tail: Promise<void> = Promise.resolve();

  private constructor(storage: JudgeLogStorage, done: Map<string, R>) {
    this.storage = storage;
    this.done = done;
  }

  /**
   * Reads the log, tolerating (and removing) a torn last line.
   * @throws EvalMetricsError `INVALID_ARGUMENT` when a line other than the last is not a log record.
   */
  static async open<R = unknown>(storage: JudgeLogStorage): Promise<JudgeLog<R>> {
    const fn = 'JudgeLog.open';
    if (typeof storage?.read !== 'function' || typeof storage.append !== 'function') {
      invalid(fn, 'storage', 'expected a JudgeLogStorage with read, append and replace.');
    }
    const text = (await storage.read()) ?? '';
    const done = new Map<string, R>();
    const lines = text.split('\n');
    // A complete log ends with '\n', so the last piece is '' unless the last append was torn.
    let kept = 0;
    let repaired: string | undefined;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      const isLast = i === lines.length - 1;
      const parsed = line === '' ? undefined : parseRecord(line);
      if (isLast) {
        // '' is a clean end; a whole record missing only its '\n' is kept; anything else is torn.
        if (parsed !== undefined) {
          done.set(parsed.id, parsed.record as R);
          repaired = `${text}\n`;
        } else if (line !== '') repaired = text.slice(0, kept);
        break;
      }
      if (line !== '' && parsed === undefined) {
        throw new EvalMetricsError({
          code: 'INVALID_ARGUMENT',
          fn,
          argument: 'storage',
          detail: `line ${i + 1} of the judge log is not a {"id", "record"} JSON object; the log is corrupt beyond a torn last line. Move it aside or repair that line.`,
        });
      }
      if (parsed !== undefined) done.set(parsed.id, parsed.record as R);
      kept += line.length + 1;
    }
    if (repaired !== undefined) await storage.replace(repaired);
    return new JudgeLog<R>(storage, done);
  }

  /** Ids already recorded (the last record wins when an id repeats). */
  get completed(): ReadonlyMap<string, R> {
    return this.done;
  }

  /** Appends one record durably; concurrent calls are written one after another. */
  append(id: string, record: R): Promise<void> {
    const line = `${JSON.stringify({ id, record })}\n`;
    const write = this.tail.then(() => this.storage.append(line));
    // Keep the chain alive after a failed write; the caller still sees the failure.
    this.tail = write.catch(() => undefined);
    this.done.set(id, record);
    return write;
  }
}

function parseRecord(line: string): { id: string; record: unknown } | undefined {
  try {
    const value: unknown = JSON.parse(line);
    if (
      typeof value === 'object' &&
      value !== null &&
      typeof (value as { id?: unknown }).id === 'string' &&
      'record' in value
    ) {
      return value as { id: string; record: unknown };
    }
  } catch {
    // not JSON
  }
  return undefined;
}
