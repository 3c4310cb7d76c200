import type { HeaderTable } from "./header-table.js";
import { MessageCore } from "./message-core.js";
import type { SipRequest, SipResponse, SipUri } from "./types.js";
import { parseUri, unparsableUri } from "./uri.js";

export class Request extends MessageCore implements SipRequest {
  private uriRaw: string;
  private uriCache: SipUri | undefined;
  responseTag: string | undefined = undefined;

  constructor(
    readonly method: string,
    uriText: string,
    readonly version: string,
    table: HeaderTable,
    body?: Buffer,
    startLine?: string,
  ) {
    super(table, body, startLine);
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
      new Request(this.method, this.uriRaw, this.version, this.table.copy(), undefined, this.startLine),
    );
  }
}

export class Response extends MessageCore implements SipResponse {
  private reasonText: string;

  constructor(
    readonly status: number,
    reason: string,
    readonly version: string,
    table: HeaderTable,
    body?: Buffer,
    startLine?: string,
  ) {
    super(table, body, startLine);
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
      new Response(this.status, this.reasonText, this.version, this.table.copy(), undefined, this.startLine),
    );
  }
}
