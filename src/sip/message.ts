import { skipWs, trimEnd } from "./chars.js";
import { headerKey, headerSpelling, isListHeader } from "./header-names.js";
import { parseNameAddr } from "./name-addr.js";
import { parseCSeq, parseMaxForwards } from "./scalars.js";
import { firstListElement, nextListComma, splitList } from "./split-list.js";
import type {
  CSeqValue,
  HeaderField,
  NameAddr,
  SipMessageBase,
  SipRequest,
  SipResponse,
  SipUri,
  ViaValue,
} from "./types.js";
import { parseUri, unparsableUri } from "./uri.js";
import { formatVia, parseVia } from "./via.js";

/**
 * One header line. Immutable: a mutation replaces the field, so `raw` always matches it.
 * A parsed field keeps offsets into the header text and slices `value` / `raw` on first use.
 */
export class Field implements HeaderField {
  private cached: string | undefined;

  constructor(
    readonly name: string,
    readonly key: string,
    value: string | undefined,
    /** Header section text the offsets refer to ("" for a built field). Internal. */
    readonly text: string = "",
    /** Line start in `text`; -1 for a built field, rendered as `name: value`. Internal. */
    readonly start: number = -1,
    /** Line end in `text` (before its CRLF). Internal. */
    readonly end: number = -1,
    /** Value bounds in `text` (already trimmed unless `folded`). */
    private readonly valueStart: number = 0,
    private readonly valueEnd: number = 0,
    private readonly folded: boolean = false,
  ) {
    this.cached = value;
  }

  get value(): string {
    if (this.cached === undefined) {
      if (this.folded) {
        // RFC 3261 7.3.1: folding (CRLF + SP/HT) is replaced by a single SP, then trimmed.
        const v = this.text.slice(this.valueStart, this.valueEnd).replace(FOLD, " ");
        const a = skipWs(v, 0, v.length);
        this.cached = v.slice(a, trimEnd(v, a, v.length));
      } else this.cached = this.text.slice(this.valueStart, this.valueEnd);
    }
    return this.cached;
  }

  /** The line(s) exactly as received, without the final CRLF; undefined for a built field. */
  get raw(): string | undefined {
    return this.start < 0 ? undefined : this.text.slice(this.start, this.end);
  }
}

const FOLD = /\r\n[ \t]+/g;

const EMPTY_BODY = Buffer.alloc(0);

// Bits of `MessageCore.known`: which cached essentials are up to date.
const K_VIAS = 1;
const K_FROM = 2;
const K_TO = 4;
const K_CALLID = 8;
const K_CSEQ = 16;
const K_MF = 32;

/** Essentials already parsed by the parser, handed over so they are not parsed twice. */
export interface Primed {
  vias: ViaValue[];
  from: NameAddr | undefined;
  to: NameAddr | undefined;
  callId: string | undefined;
  cseq: CSeqValue | undefined;
  maxForwards: number | undefined;
  contacts: NameAddr[] | undefined;
}

/**
 * The part of a message shared by requests and responses: ordered header fields, body, lazily
 * parsed and cached essentials, and byte-exact serialization while untouched.
 */
abstract class MessageCore implements SipMessageBase {
  protected fields: Field[];
  /** The body; undefined until first read when it still lies in `data`. */
  private bodyBytes: Buffer | undefined;
  /** The datagram / frame this message was parsed from, and where the message lies in it. */
  private data: Buffer | undefined;
  private srcStart = 0;
  private bodyStart = 0;
  private srcEnd = 0;
  /** The header text (decoded from data at srcStart) that parsed fields point into. */
  private headerText: string | undefined;
  /** True while nothing changed since parsing: serialize() returns the original bytes. */
  private untouched = false;
  /** The start line as received; undefined once it must be rendered again. */
  protected startLine: string | undefined;

  private known = 0;
  private cVias: ViaValue[] = [];
  private cFrom: NameAddr | undefined;
  private cTo: NameAddr | undefined;
  private cCallId: string | undefined;
  private cCSeq: CSeqValue | undefined;
  private cMaxForwards: number | undefined;
  private cNameAddrs: Map<string, NameAddr[]> | undefined;

  constructor(fields: Field[], body: Buffer | undefined, startLine: string | undefined) {
    this.fields = fields;
    this.bodyBytes = body;
    this.startLine = startLine;
  }

  /** Records the bytes the message was parsed from (internal, used by the parser and clone). */
  attachSource(
    data: Buffer,
    headerText: string,
    srcStart: number,
    bodyStart: number,
    srcEnd: number,
    untouched: boolean,
  ): void {
    this.data = data;
    this.headerText = headerText;
    this.srcStart = srcStart;
    this.bodyStart = bodyStart;
    this.srcEnd = srcEnd;
    this.untouched = untouched;
  }

  /** Installs essentials the parser already has (internal). */
  prime(p: Primed): void {
    this.cVias = p.vias;
    this.cFrom = p.from;
    this.cTo = p.to;
    this.cCallId = p.callId;
    this.cCSeq = p.cseq;
    this.cMaxForwards = p.maxForwards;
    this.known = K_VIAS | K_FROM | K_TO | K_CALLID | K_CSEQ | K_MF;
    if (p.contacts !== undefined) {
      this.cNameAddrs = new Map();
      this.cNameAddrs.set("contact", p.contacts);
    }
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
        this.known &= ~K_VIAS;
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
    return this.fields;
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
    const fields = this.fields;
    for (let i = 0; i < fields.length; i++) if (fields[i].key === key) return fields[i].value;
    return undefined;
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
    return this.cVias;
  }

  get topVia(): ViaValue | undefined {
    return this.vias[0];
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
    const fields = this.fields;
    const list = isListHeader(key);
    for (let i = 0; i < fields.length; i++) {
      if (fields[i].key !== key) continue;
      if (!list) return fields[i].value;
      const first = firstListElement(fields[i].value);
      if (first !== "") return first;
    }
    return undefined;
  }

  getAll(name: string): string[] {
    const key = headerKey(name);
    const list = isListHeader(key);
    const out: string[] = [];
    for (const f of this.fields) {
      if (f.key !== key) continue;
      if (!list) out.push(f.value);
      else for (const v of splitList(f.value)) if (v !== "") out.push(v);
    }
    return out;
  }

  has(name: string): boolean {
    const key = headerKey(name);
    return this.fields.some((f) => f.key === key);
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
    const field = new Field(headerSpelling(name), key, value);
    const out: Field[] = [];
    let placed = false;
    for (const f of this.fields) {
      if (f.key !== key) out.push(f);
      else if (!placed) {
        out.push(field);
        placed = true;
      }
    }
    if (!placed) out.push(field);
    this.fields = out;
    this.invalidate(key);
  }

  append(name: string, value: string, top = false): void {
    const key = headerKey(name);
    const field = new Field(headerSpelling(name), key, value);
    if (top) {
      const at = this.fields.findIndex((f) => f.key === key);
      this.fields.splice(Math.max(at, 0), 0, field);
    } else this.fields.push(field);
    this.invalidate(key);
  }

  remove(name: string): void {
    const key = headerKey(name);
    if (!this.fields.some((f) => f.key === key)) return;
    this.fields = this.fields.filter((f) => f.key !== key);
    this.invalidate(key);
  }

  removeTopVia(): void {
    const at = this.fields.findIndex((f) => f.key === "via");
    if (at < 0) return;
    const f = this.fields[at];
    const comma = nextListComma(f.value, 0, f.value.length);
    const rest = comma < f.value.length ? splitList(f.value.slice(comma + 1)).filter((v) => v !== "") : [];
    if (rest.length === 0) this.fields.splice(at, 1);
    else this.fields[at] = new Field(f.name, f.key, rest.join(", "));
    this.invalidate("via");
  }

  setTopViaParams(params: Record<string, string | number | null>): void {
    const at = this.fields.findIndex((f) => f.key === "via");
    if (at < 0) return;
    const f = this.fields[at];
    const value = f.value;
    const comma = nextListComma(value, 0, value.length);
    const firstText = (comma === value.length ? value : value.slice(0, comma)).trim();
    // Reuse the cached top Via when it is this very value, rather than parsing it again.
    const cached = (this.known & K_VIAS) !== 0 ? this.cVias[0] : undefined;
    const top = cached !== undefined && cached.raw === firstText ? cached : parseVia(firstText);
    if (top === undefined) return;
    const merged = new Map(top.params);
    for (const name of Object.keys(params)) {
      const v = params[name];
      merged.set(name.toLowerCase(), v === null ? null : String(v));
    }
    const newText = formatVia({ ...top, params: merged });
    this.fields[at] = new Field(f.name, f.key, newText + value.slice(comma));
    const updated = parseVia(newText);
    this.touch();
    if (cached !== undefined && cached === top && updated !== undefined) {
      this.cVias = [updated, ...this.cVias.slice(1)];
    } else this.known &= ~K_VIAS;
  }

  /** RFC 3261 20.14: keep Content-Length equal to the body length (added if absent). */
  private syncContentLength(): void {
    const expected = String(this.body.length);
    let count = 0;
    let ok = false;
    for (const f of this.fields) {
      if (f.key !== "content-length") continue;
      count++;
      ok = f.value === expected;
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
    const text = this.headerText;
    const base = this.srcStart;
    // Lines still as received are copied from the original bytes, adjacent ones in one copy.
    const fromSource = (f: Field): boolean => data !== undefined && f.start >= 0 && f.text === text;
    const startLine = this.startLine ?? this.renderStartLine();
    let size = startLine.length + 4 + body.length;
    for (const f of this.fields) {
      size += (fromSource(f) ? f.end - f.start : f.name.length + 2 + f.value.length) + 2;
    }
    const out = Buffer.allocUnsafe(size);
    let o = out.write(startLine, 0, "latin1");
    o += out.write("\r\n", o, "latin1");
    let runStart = -1;
    let runEnd = -1;
    const flush = (): void => {
      if (runStart < 0 || data === undefined) return;
      o += data.copy(out, o, base + runStart, base + runEnd);
      o += out.write("\r\n", o, "latin1");
      runStart = -1;
    };
    for (const f of this.fields) {
      if (fromSource(f)) {
        if (runStart >= 0 && f.start === runEnd + 2) runEnd = f.end;
        else {
          flush();
          runStart = f.start;
          runEnd = f.end;
        }
        continue;
      }
      flush();
      o += out.write(`${f.name}: ${f.value}\r\n`, o, "latin1");
    }
    flush();
    o += out.write("\r\n", o, "latin1");
    body.copy(out, o);
    return out;
  }

  /** Gives `target` a copy of the body and the same source bytes (never written to). */
  protected copyInto<T extends MessageCore>(target: T): T {
    target.bodyBytes = Buffer.from(this.body);
    if (this.data !== undefined) {
      target.attachSource(
        this.data,
        this.headerText ?? "",
        this.srcStart,
        this.bodyStart,
        this.srcEnd,
        this.untouched,
      );
    }
    return target;
  }

  protected fieldsCopy(): Field[] {
    return this.fields.slice();
  }
}

export class Request extends MessageCore implements SipRequest {
  private uriRaw: string;
  private uriCache: SipUri | undefined;

  constructor(
    readonly method: string,
    uriText: string,
    readonly version: string,
    fields: Field[],
    body?: Buffer,
    startLine?: string,
  ) {
    super(fields, body, startLine);
    this.uriRaw = uriText;
  }

  get kind(): "request" {
    return "request";
  }

  get uriText(): string {
    return this.uriRaw;
  }
  set uriText(value: string) {
    this.uriRaw = value;
    this.uriCache = undefined;
    this.startLine = undefined;
    this.touch();
  }

  get uri(): SipUri {
    this.uriCache ??= parseUri(this.uriRaw) ?? unparsableUri(this.uriRaw);
    return this.uriCache;
  }

  protected renderStartLine(): string {
    return `${this.method} ${this.uriRaw} ${this.version}`;
  }

  clone(): Request {
    return this.copyInto(
      new Request(this.method, this.uriRaw, this.version, this.fieldsCopy(), undefined, this.startLine),
    );
  }
}

export class Response extends MessageCore implements SipResponse {
  private reasonText: string;

  constructor(
    readonly status: number,
    reason: string,
    readonly version: string,
    fields: Field[],
    body?: Buffer,
    startLine?: string,
  ) {
    super(fields, body, startLine);
    this.reasonText = reason;
  }

  get kind(): "response" {
    return "response";
  }

  get reason(): string {
    return this.reasonText;
  }
  set reason(value: string) {
    this.reasonText = value;
    this.startLine = undefined;
    this.touch();
  }

  protected renderStartLine(): string {
    return `${this.version} ${this.status} ${this.reasonText}`;
  }

  clone(): Response {
    return this.copyInto(
      new Response(this.status, this.reasonText, this.version, this.fieldsCopy(), undefined, this.startLine),
    );
  }
}

/** Builds a field for a header given by any name, rendered as `Name: value`. */
export function newField(name: string, value: string): Field {
  return new Field(headerSpelling(name), headerKey(name), value);
}
