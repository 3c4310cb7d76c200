/**
 * The registration of one type 0 external line at its provider (RFC 3261 10.2): REGISTER with
 * the line's account as address-of-record, digest on 401/407, refresh before expiry, back-off on
 * failure, REGISTER with Expires 0 when the line goes away. Live state: online after a 2xx,
 * offline otherwise.
 */
import { generateCallId, generateTag } from "../sip/ids.js";
import { createRequest } from "../sip/index.js";
import type { SipResponse } from "../sip/types.js";
import type { ExternalLine } from "../store/routing-model.js";
import type { ClientTransactionHandler } from "../transaction/types.js";
import type { Destination } from "../transport/types.js";
import type { Clock, TimerHandle } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import { DigestClient, lineDigestUser } from "./digest-client.js";

/** The transaction layer as a registration needs it. */
export interface RequestSender {
  sendRequest(
    request: ReturnType<typeof createRequest>,
    destination: Destination,
    handler: ClientTransactionHandler,
  ): unknown;
}

export interface LineRegistrationOptions {
  readonly line: ExternalLine;
  readonly sender: RequestSender;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Parley's own address as the provider reaches it, `host:port`. */
  readonly contactHostPort: string;
  /** Resolves the next hop (the outbound proxy, else the server) to an address. */
  readonly resolve: (
    host: string,
    port: number,
    transport: ExternalLine["transport"],
  ) => Promise<Destination>;
  /** The system option: a fresh Call-ID for every authenticated REGISTER. */
  readonly freshCallIdOnAuth: boolean;
  readonly onState: (account: string, online: boolean) => void;
  /** First retry after a failure, doubling up to `maxBackoffMs`. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
}

export type RegistrationState = "offline" | "registering" | "online" | "stopped";

/** How long before expiry a refresh goes out: a tenth of the interval, at least 5 s (at most half). */
export function refreshDelayMs(expires: number): number {
  const margin = Math.min(Math.max(expires * 0.1, 5), expires / 2);
  return Math.max(1, Math.round((expires - margin) * 1000));
}

export class LineRegistration {
  state: RegistrationState = "offline";
  /** The Expires the provider granted last (seconds). */
  granted = 0;
  lastStatus = 0;
  private callId = generateCallId();
  private readonly fromTag = generateTag();
  private cseq = 1;
  private timer: TimerHandle | undefined;
  private failures = 0;
  private digest: DigestClient;

  constructor(private readonly o: LineRegistrationOptions) {
    this.digest = new DigestClient({ username: lineDigestUser(o.line), password: o.line.password });
  }

  get line(): ExternalLine {
    return this.o.line;
  }

  get online(): boolean {
    return this.state === "online";
  }

  start(): void {
    this.send(this.o.line.registerExpires, []);
  }

  /** Unregisters (Expires 0, RFC 3261 10.2.2) when it was online, and stops for good. */
  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    const wasOnline = this.state === "online";
    this.setState("stopped");
    if (wasOnline) this.send(0, []);
  }

  private addressOfRecord(): string {
    const { line } = this.o;
    const port = line.serverPort === 5060 ? "" : `:${line.serverPort}`;
    return `sip:${line.account}@${line.server}${port}`;
  }

  private requestUri(): string {
    const { line } = this.o;
    // RFC 3261 10.2: "The Request-URI names the domain of the location service".
    const port = line.serverPort === 5060 ? "" : `:${line.serverPort}`;
    return `sip:${line.server}${port}`;
  }

  private send(expires: number, auth: ReadonlyArray<readonly [string, string]>, attempt = 0): void {
    const { line } = this.o;
    const transport = line.transport === "udp" ? "" : `;transport=${line.transport}`;
    const request = createRequest({
      method: "REGISTER",
      uri: this.requestUri(),
      headers: [
        ["Max-Forwards", "70"],
        ["From", `<${this.addressOfRecord()}>;tag=${this.fromTag}`],
        ["To", `<${this.addressOfRecord()}>`],
        ["Call-ID", this.callId],
        // RFC 3261 10.2: the CSeq rises by one for each REGISTER with the same Call-ID.
        ["CSeq", `${this.cseq++} REGISTER`],
        ["Contact", `<sip:${line.account}@${this.o.contactHostPort}${transport}>`],
        ["Expires", String(expires)],
        ["Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK, INFO, MESSAGE, REFER, NOTIFY"],
        ...auth,
      ],
    });
    if (expires > 0 && this.state !== "online") this.setState("registering");
    const hop = line.outboundProxy.enabled
      ? { host: line.outboundProxy.address, port: line.outboundProxy.port }
      : { host: line.server, port: line.serverPort };
    this.o.resolve(hop.host, hop.port, line.transport).then(
      (destination) => {
        if (this.state === "stopped" && expires > 0) return;
        this.o.sender.sendRequest(request, destination, {
          onResponse: (response) => {
            if (response.status >= 200) this.onFinal(response, request, expires, attempt);
          },
        });
      },
      (error: unknown) => {
        this.o.logger.warn({ line: line.account, err: error }, "external line: cannot resolve the next hop");
        if (expires > 0) this.failed(503);
      },
    );
  }

  private onFinal(
    response: SipResponse,
    request: ReturnType<typeof createRequest>,
    expires: number,
    attempt: number,
  ): void {
    const { line, logger } = this.o;
    this.lastStatus = response.status;
    // A registration of a stopped line goes no further; its unregistration answers a challenge.
    if (this.state === "stopped" && expires > 0) return;
    if ((response.status === 401 || response.status === 407) && attempt < 2) {
      const auth = this.digest.authorize(response, request);
      if (auth !== undefined) {
        // FEATURES.md section 3, provider quirk: some providers refuse CSeq+1 on the same Call-ID
        // after a challenge ("400 Invalid CSeq number"); they get a fresh Call-ID instead.
        if (line.freshCallIdOnAuth || this.o.freshCallIdOnAuth) {
          this.callId = generateCallId();
          this.cseq = 1;
        }
        this.send(expires, auth, attempt + 1);
        return;
      }
    }
    if (expires === 0) return; // an unregistration: nothing follows
    if (response.status === 423 && attempt < 4) {
      // RFC 3261 10.2.8: "the UAC MAY retry the registration with an expiration interval ...
      // greater than or equal to the value of the Min-Expires header field".
      const min = Number(response.get("min-expires")?.trim());
      if (Number.isInteger(min) && min > expires && min <= 86_400) {
        this.send(min, [], attempt + 1);
        return;
      }
    }
    if (response.status >= 200 && response.status < 300) {
      this.granted = grantedExpires(response, expires, line.account);
      this.failures = 0;
      this.setState("online");
      logger.info({ line: line.account, expires: this.granted }, "external line registered");
      this.schedule(refreshDelayMs(this.granted), () => this.send(line.registerExpires, []));
      return;
    }
    logger.warn(
      { line: line.account, status: response.status, reason: response.reason },
      "external line registration failed",
    );
    this.failed(response.status);
  }

  /** Offline, and a new attempt after the back-off (doubling from backoffMs up to maxBackoffMs). */
  private failed(status: number): void {
    this.lastStatus = status;
    this.setState("offline");
    const base = this.o.backoffMs ?? 10_000;
    const delay = Math.min(base * 2 ** this.failures, this.o.maxBackoffMs ?? 300_000);
    this.failures++;
    this.schedule(delay, () => this.send(this.o.line.registerExpires, []));
  }

  private schedule(ms: number, action: () => void): void {
    this.timer?.cancel();
    this.timer = this.o.clock.setTimer(ms, () => {
      this.timer = undefined;
      action();
    });
  }

  private setState(state: RegistrationState): void {
    const was = this.state === "online";
    this.state = state;
    if (was !== (state === "online")) this.o.onState(this.o.line.account, state === "online");
  }
}

/**
 * RFC 3261 10.2.4: the registrar's answer lists every binding with its expires; ours is the one
 * with our Contact, else the Expires header, else what was asked.
 */
function grantedExpires(response: SipResponse, asked: number, account: string): number {
  for (const contact of response.nameAddrs("contact")) {
    if (contact.uri.user !== account) continue;
    const e = contact.params.get("expires");
    if (e !== undefined && e !== null && /^\d+$/.test(e)) return Number(e);
  }
  const header = response.get("expires");
  if (header !== undefined && /^\d+$/.test(header.trim())) return Number(header.trim());
  return asked;
}
