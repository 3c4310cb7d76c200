import { skipWs, trimEnd } from "./chars.js";
import type { HeaderField } from "./types.js";

/** Offsets kept per parsed field in `HeaderTable.pos`. */
const STRIDE = 4;

const FOLD = /\r\n[ \t]+/g;

/** RFC 3261 7.3.1: a folded value s[start, end) with each CRLF + WSP replaced by one SP, trimmed. */
export function unfoldValue(s: string, start: number, end: number): string {
  const v = s.slice(start, end).replace(FOLD, " ");
  const b = skipWs(v, 0, v.length);
  return v.slice(b, trimEnd(v, b, v.length));
}

/**
 * The header fields of one message, stored flat: parallel arrays of canonical keys and, for fields
 * still as received, offsets into the one latin1 header text (line start, line end, value start,
 * value end). A field added or changed later carries its name and value as strings instead.
 * No per-field object is built unless `view()` is asked for.
 */
export class HeaderTable {
  /** Canonical key of each field. */
  private keys: string[];
  /**
   * STRIDE offsets per field into `src`; line start -1 for a built field. A folded value: start < 0
   * (~start). Undefined while every field is built (a message Parley made holds no offsets).
   */
  private pos: number[] | undefined;
  /** Per field: name and value of a built field; undefined (or the arrays absent) for one from `src`. */
  private names: Array<string | undefined> | undefined;
  private vals: Array<string | undefined> | undefined;
  private viewCache: HeaderField[] | undefined;

  constructor(
    /** Header text the offsets refer to ("" when every field is built). */
    readonly src: string,
    keys: string[],
    pos: number[] | undefined,
    names?: Array<string | undefined>,
    vals?: Array<string | undefined>,
  ) {
    this.keys = keys;
    this.pos = pos;
    this.names = names;
    this.vals = vals;
  }

  /** A table of built fields only. */
  static built(keys: string[], names: string[], vals: string[]): HeaderTable {
    return new HeaderTable("", keys, undefined, names, vals);
  }

  get length(): number {
    return this.keys.length;
  }

  /** True if field i is still the received line (copied byte for byte when serialized). */
  fromSource(i: number): boolean {
    const pos = this.pos;
    return (
      pos !== undefined && pos[i * STRIDE] >= 0 && (this.vals === undefined || this.vals[i] === undefined)
    );
  }

  /** The offsets of a field from the source (internal: only asked for such a field). */
  private offsets(): number[] {
    const pos = this.pos;
    if (pos === undefined) throw new Error("header field has no offsets: every field is built");
    return pos;
  }

  name(i: number): string {
    const built = this.names?.[i];
    if (built !== undefined) return built;
    const pos = this.offsets();
    const p = i * STRIDE;
    const s = this.src;
    const colon = s.indexOf(":", pos[p]);
    return s.slice(pos[p], trimEnd(s, pos[p], colon));
  }

  value(i: number): string {
    const built = this.vals?.[i];
    if (built !== undefined) return built;
    const pos = this.offsets();
    const p = i * STRIDE;
    const a = pos[p + 2];
    if (a >= 0) return this.src.slice(a, pos[p + 3]);
    return unfoldValue(this.src, ~a, pos[p + 3]);
  }

  /** Value bounds in `src` of an unfolded field from the source; false otherwise. */
  valueInSource(i: number): boolean {
    return this.fromSource(i) && this.offsets()[i * STRIDE + 2] >= 0;
  }

  valueStart(i: number): number {
    return this.offsets()[i * STRIDE + 2];
  }

  valueEnd(i: number): number {
    return this.offsets()[i * STRIDE + 3];
  }

  indexOf(key: string, from = 0): number {
    const keys = this.keys;
    for (let i = from; i < keys.length; i++) if (keys[i] === key) return i;
    return -1;
  }

  /** One HeaderField per field, built on demand and kept until the next change. */
  view(): ReadonlyArray<HeaderField> {
    if (this.viewCache === undefined) {
      const out: HeaderField[] = [];
      for (let i = 0; i < this.keys.length; i++) {
        out.push({ name: this.name(i), key: this.keys[i], value: this.value(i) });
      }
      this.viewCache = out;
    }
    return this.viewCache;
  }

  private editable(): { names: Array<string | undefined>; vals: Array<string | undefined> } {
    this.viewCache = undefined;
    if (this.names === undefined || this.vals === undefined) {
      this.names = new Array<string | undefined>(this.keys.length).fill(undefined);
      this.vals = new Array<string | undefined>(this.keys.length).fill(undefined);
    }
    return { names: this.names, vals: this.vals };
  }

  /** Replaces field i with a built one. */
  replace(i: number, name: string, key: string, value: string): void {
    const { names, vals } = this.editable();
    this.keys[i] = key;
    names[i] = name;
    vals[i] = value;
    this.pos?.fill(-1, i * STRIDE, i * STRIDE + STRIDE);
  }

  // Fields are inserted and removed into new arrays of the exact size: a spliced array keeps
  // room to grow, and a message Parley sends may be kept a while (an INVITE until Timer M).

  insert(i: number, name: string, key: string, value: string): void {
    const { names, vals } = this.editable();
    this.keys = withInserted(this.keys, i, [key]);
    this.names = withInserted(names, i, [name]);
    this.vals = withInserted(vals, i, [value]);
    if (this.pos !== undefined) this.pos = withInserted(this.pos, i * STRIDE, [-1, -1, -1, -1]);
  }

  removeAt(i: number): void {
    const { names, vals } = this.editable();
    this.keys = withRemoved(this.keys, i, 1);
    this.names = withRemoved(names, i, 1);
    this.vals = withRemoved(vals, i, 1);
    if (this.pos !== undefined) this.pos = withRemoved(this.pos, i * STRIDE, STRIDE);
  }

  copy(): HeaderTable {
    return new HeaderTable(
      this.src,
      this.keys.slice(),
      this.pos?.slice(),
      this.names?.slice(),
      this.vals?.slice(),
    );
  }

  /**
   * The header lines as text, each ending in CRLF: lines still as received are sliced from the
   * source, adjacent ones in one slice; built ones are rendered `Name: value`.
   */
  render(): string {
    const pos = this.pos;
    let out = "";
    if (pos === undefined) {
      for (let i = 0; i < this.keys.length; i++) out += `${this.name(i)}: ${this.value(i)}\r\n`;
      return out;
    }
    const s = this.src;
    let runStart = -1;
    let runEnd = -1;
    for (let i = 0; i < this.keys.length; i++) {
      if (this.fromSource(i)) {
        const p = i * STRIDE;
        if (runStart >= 0 && pos[p] === runEnd + 2) runEnd = pos[p + 1];
        else {
          if (runStart >= 0) out += `${s.slice(runStart, runEnd)}\r\n`;
          runStart = pos[p];
          runEnd = pos[p + 1];
        }
        continue;
      }
      if (runStart >= 0) {
        out += `${s.slice(runStart, runEnd)}\r\n`;
        runStart = -1;
      }
      out += `${this.name(i)}: ${this.value(i)}\r\n`;
    }
    if (runStart >= 0) out += `${s.slice(runStart, runEnd)}\r\n`;
    return out;
  }
}

/** `a` with `items` put in at `at`, as a new array of the exact size. */
function withInserted<T>(a: T[], at: number, items: T[]): T[] {
  return a.slice(0, at).concat(items, a.slice(at));
}

/** `a` without `count` items from `at`, as a new array of the exact size. */
function withRemoved<T>(a: T[], at: number, count: number): T[] {
  return a.slice(0, at).concat(a.slice(at + count));
}
