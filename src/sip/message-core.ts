import { skipWs, trimEnd } from "./chars.js";
import { headerKey, headerSpelling, isListHeader } from "./header-names.js";
import type { HeaderTable } from "./header-table.js";
import { parseNameAddr } from "./name-addr.js";
import { parseCSeq, parseMaxForwards } from "./scalars.js";
import { firstListElement, nextListComma, splitList } from "./split-list.js";
import type { CSeqValue, HeaderField, NameAddr, SipMessageBase, ViaValue } from "./types.js";
import { parseVia, setViaParams } from "./via.js";

const EMPTY_BODY = Buffer.alloc(0);

// Bits of `MessageCore.known`: which cached essentials are up to date.
const K_VIAS = 1;
const K_FROM = 2;
const K_TO = 4;
const K_CALLID = 8;
const K_CSEQ = 16;
const K_MF = 32;
const K_TOPVIA = 64;

/**
 * The part of a message shared by requests and responses: header fields (a flat HeaderTable),
 * body, essentials parsed on first read and cached, and byte-exact serialization while untouched.
 */
export abstract class MessageCore implements SipMessageBase {
  protected table: HeaderTable;
  /** The body; undefined until first read when it still lies in `data`. */
  private bodyBytes: Buffer | undefined;
  /** The datagram / frame this message was parsed from, and where the message lies in it. */
  private data: Buffer | undefined;
  private srcStart = 0;
  private bodyStart = 0;
  private srcEnd = 0;
  /** True while nothing changed since parsing: serialize() returns the original bytes. */
  private untouched = false;
  /** The start line as received; undefined once it must be rendered again. */
  protected startLine: string | undefined;

  private known = 0;
  private cVias: ViaValue[] | undefined;
  private cTopVia: ViaValue | undefined;
  private cFrom: NameAddr | undefined;
  private cTo: NameAddr | undefined;
  private cCallId: string | undefined;
  private cCSeq: CSeqValue | undefined;
  private cMaxForwards: number | undefined;
  private cNameAddrs: Map<string, NameAddr[]> | undefined;

  constructor(table: HeaderTable, body: Buffer | undefined, startLine: string | undefined) {
    this.table = table;
    this.bodyBytes = body;
    this.startLine = startLine;
  }

  /** Records the bytes the message was parsed from (internal: parser). */
  attachSource(data: Buffer, srcStart: number, bodyStart: number, srcEnd: number): void {
    this.data = data;
    this.srcStart = srcStart;
    this.bodyStart = bodyStart;
    this.srcEnd = srcEnd;
    this.untouched = true;
  }

  /**
   * Installs what the parser already has from validating a well-formed message (internal: parser):
   * shells whose URI and parameters are still read on first access.
   */
  prime(
    topVia: ViaValue | undefined,
    from: NameAddr | undefined,
    to: NameAddr | undefined,
    cseq: CSeqValue | undefined,
  ): void {
    this.cTopVia = topVia;
    this.cFrom = from;
    this.cTo = to;
    this.cCSeq = cseq;
    this.known |= K_TOPVIA | K_FROM | K_TO | K_CSEQ;
  }

  protected abstract renderStartLine(): string;

  /** Marks the message changed: serialize() renders it from its parts from now on. */
  protected touch(): void {
    this.untouched = false;
  }

  private invalidate(key: string): void {
    this.touch();
    switch (key) {
      case "via":
        this.known &= ~(K_VIAS | K_TOPVIA);
        break;
      case "from":
        this.known &= ~K_FROM;
        break;
      case "to":
        this.known &= ~K_TO;
        break;
      case "call-id":
        this.known &= ~K_CALLID;
        break;
      case "cseq":
        this.known &= ~K_CSEQ;
        break;
      case "max-forwards":
        this.known &= ~K_MF;
        break;
    }
    this.cNameAddrs?.delete(key);
  }

  get headers(): ReadonlyArray<HeaderField> {
    return this.table.view();
  }

  get body(): Buffer {
    if (this.bodyBytes === undefined) {
      const data = this.data;
      this.bodyBytes =
        data === undefined || this.bodyStart >= this.srcEnd
          ? EMPTY_BODY
          : data.subarray(this.bodyStart, this.srcEnd);
    }
    return this.bodyBytes;
  }
  set body(value: Buffer) {
    this.bodyBytes = value;
    this.touch();
  }

  private firstValue(key: string): string | undefined {
    const i = this.table.indexOf(key);
    return i < 0 ? undefined : this.table.value(i);
  }

  get callId(): string | undefined {
    if ((this.known & K_CALLID) === 0) {
      this.cCallId = this.firstValue("call-id");
      this.known |= K_CALLID;
    }
    return this.cCallId;
  }

  get cseq(): CSeqValue | undefined {
    if ((this.known & K_CSEQ) === 0) {
      const v = this.firstValue("cseq");
      this.cCSeq = v === undefined ? undefined : parseCSeq(v);
      this.known |= K_CSEQ;
    }
    return this.cCSeq;
  }

  /** Every Via value that parses, in order (a malformed one is left out). */
  get vias(): ReadonlyArray<ViaValue> {
    if ((this.known & K_VIAS) === 0) {
      const out: ViaValue[] = [];
      for (const v of this.getAll("via")) {
        const via = parseVia(v);
        if (via !== undefined) out.push(via);
      }
      this.cVias = out;
      this.known |= K_VIAS;
    }
    return this.cVias ?? [];
  }

  /** The first Via value; undefined when absent or when it does not parse. */
  get topVia(): ViaValue | undefined {
    if ((this.known & K_TOPVIA) === 0) {
      const v = this.firstValue("via");
      if (v === undefined) this.cTopVia = undefined;
      else {
        const comma = nextListComma(v, 0, v.length);
        this.cTopVia = parseVia(comma === v.length ? v : v.slice(0, comma));
      }
      this.known |= K_TOPVIA;
    }
    return this.cTopVia;
  }

  get from(): NameAddr | undefined {
    if ((this.known & K_FROM) === 0) {
      const v = this.firstValue("from");
      this.cFrom = v === undefined ? undefined : parseNameAddr(v);
      this.known |= K_FROM;
    }
    return this.cFrom;
  }

  get to(): NameAddr | undefined {
    if ((this.known & K_TO) === 0) {
      const v = this.firstValue("to");
      this.cTo = v === undefined ? undefined : parseNameAddr(v);
      this.known |= K_TO;
    }
    return this.cTo;
  }

  get maxForwards(): number | undefined {
    if ((this.known & K_MF) === 0) {
      const v = this.firstValue("max-forwards");
      const n = v === undefined ? -1 : parseMaxForwards(v);
      this.cMaxForwards = n < 0 ? undefined : n;
      this.known |= K_MF;
    }
    return this.cMaxForwards;
  }

  /**
   * First value of a header. For list headers (RFC 3261 7.3.1) that is the first comma-separated
   * element; for others the whole field value.
   */
  get(name: string): string | undefined {
    const key = headerKey(name);
    const t = this.table;
    const list = isListHeader(key);
    for (let i = t.indexOf(key); i >= 0; i = t.indexOf(key, i + 1)) {
      if (!list) return t.value(i);
      const first = firstListElement(t.value(i));
      if (first !== "") return first;
    }
    return undefined;
  }

  getAll(name: string): string[] {
    const key = headerKey(name);
    const t = this.table;
    const list = isListHeader(key);
    const out: string[] = [];
    for (let i = t.indexOf(key); i >= 0; i = t.indexOf(key, i + 1)) {
      if (!list) out.push(t.value(i));
      else for (const v of splitList(t.value(i))) if (v !== "") out.push(v);
    }
    return out;
  }

  has(name: string): boolean {
    return this.table.indexOf(headerKey(name)) >= 0;
  }

  nameAddrs(name: string): NameAddr[] {
    const key = headerKey(name);
    let cached = this.cNameAddrs?.get(key);
    if (cached === undefined) {
      cached = [];
      for (const v of this.getAll(key)) {
        const na = parseNameAddr(v);
        if (na !== undefined) cached.push(na);
      }
      this.cNameAddrs ??= new Map();
      this.cNameAddrs.set(key, cached);
    }
    return cached;
  }

  set(name: string, value: string): void {
    const key = headerKey(name);
    const t = this.table;
    const at = t.indexOf(key);
    if (at < 0) t.insert(t.length, headerSpelling(name), key, value);
    else {
      t.replace(at, headerSpelling(name), key, value);
      for (let i = t.indexOf(key, at + 1); i >= 0; i = t.indexOf(key, i)) t.removeAt(i);
    }
    this.invalidate(key);
  }

  append(name: string, value: string, top = false): void {
    const key = headerKey(name);
    const t = this.table;
    t.insert(top ? Math.max(t.indexOf(key), 0) : t.length, headerSpelling(name), key, value);
    this.invalidate(key);
  }

  remove(name: string): void {
    const key = headerKey(name);
    const t = this.table;
    let i = t.indexOf(key);
    if (i < 0) return;
    for (; i >= 0; i = t.indexOf(key, i)) t.removeAt(i);
    this.invalidate(key);
  }

  removeTopVia(): void {
    const t = this.table;
    const at = t.indexOf("via");
    if (at < 0) return;
    const value = t.value(at);
    const comma = nextListComma(value, 0, value.length);
    const rest = comma < value.length ? splitList(value.slice(comma + 1)).filter((v) => v !== "") : [];
    if (rest.length === 0) t.removeAt(at);
    else t.replace(at, t.name(at), "via", rest.join(", "));
    this.invalidate("via");
  }

  /** Rewrites the text of the first Via value only; the rest of the field stays as it was. */
  setTopViaParams(params: Record<string, string | number | null>): void {
    const t = this.table;
    const at = t.indexOf("via");
    if (at < 0) return;
    const value = t.value(at);
    const comma = nextListComma(value, 0, value.length);
    const a = skipWs(value, 0, comma);
    const b = trimEnd(value, a, comma);
    const first = setViaParams(a === 0 && b === value.length ? value : value.slice(a, b), params);
    if (first === undefined) return;
    t.replace(at, t.name(at), "via", value.slice(0, a) + first + value.slice(b));
    this.invalidate("via");
  }

  /** RFC 3261 20.14: keep Content-Length equal to the body length (added if absent). */
  private syncContentLength(): void {
    const expected = String(this.body.length);
    const t = this.table;
    let count = 0;
    let ok = false;
    for (let i = t.indexOf("content-length"); i >= 0; i = t.indexOf("content-length", i + 1)) {
      count++;
      ok = t.value(i) === expected;
    }
    if (count === 1 && ok) return;
    this.set("content-length", expected);
  }

  serialize(): Buffer {
    const data = this.data;
    if (this.untouched && data !== undefined) {
      const out = Buffer.allocUnsafe(this.srcEnd - this.srcStart);
      data.copy(out, 0, this.srcStart, this.srcEnd);
      return out;
    }
    this.syncContentLength();
    const body = this.body;
    const head = `${this.startLine ?? this.renderStartLine()}\r\n${this.table.render()}\r\n`;
    if (body.length === 0) return Buffer.from(head, "latin1");
    const out = Buffer.allocUnsafe(head.length + body.length);
    out.write(head, 0, "latin1");
    body.copy(out, head.length);
    return out;
  }

  /**
   * Fills the fields RFC 3261 8.2.6.2 copies into a response, as received (internal: builders):
   * every Via field, From, To (with `toTag` added when it parses and has none), Call-ID, CSeq and,
   * for a 100, Timestamp (RFC 3261 8.2.6.1).
   */
  responseFields(
    status: number,
    toTag: string | undefined,
    keys: string[],
    names: string[],
    vals: string[],
  ): void {
    const t = this.table;
    for (let i = t.indexOf("via"); i >= 0; i = t.indexOf("via", i + 1)) {
      keys.push("via");
      names.push("Via");
      vals.push(t.value(i));
    }
    this.copyFirst("from", "From", keys, names, vals);
    const to = t.indexOf("to");
    if (to >= 0) {
      let value = t.value(to);
      if (toTag !== undefined) {
        const parsed = this.to;
        if (parsed !== undefined && parsed.tag === undefined) value += `;tag=${toTag}`;
      }
      keys.push("to");
      names.push("To");
      vals.push(value);
    }
    this.copyFirst("call-id", "Call-ID", keys, names, vals);
    this.copyFirst("cseq", "CSeq", keys, names, vals);
    if (status === 100) this.copyFirst("timestamp", "Timestamp", keys, names, vals);
  }

  private copyFirst(key: string, name: string, keys: string[], names: string[], vals: string[]): void {
    const i = this.table.indexOf(key);
    if (i < 0) return;
    keys.push(key);
    names.push(name);
    vals.push(this.table.value(i));
  }

  /** Gives `target` a copy of the body and the same source bytes (never written to). */
  protected copyInto<T extends MessageCore>(target: T): T {
    target.bodyBytes = Buffer.from(this.body);
    if (this.data !== undefined) {
      target.attachSource(this.data, this.srcStart, this.bodyStart, this.srcEnd);
      target.untouched = this.untouched;
    }
    return target;
  }
}
