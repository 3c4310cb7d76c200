/**
 * The call engine's routing (src/call/call-routing.ts) over the dial plan, external lines and SIP
 * trunks: which trunk or line an INVITE comes from (FEATURES.md section 4: "trusted by address"),
 * where a dialed number goes, and the callee targets of an outgoing call through lines (digest
 * toward the provider, Request-URI parameter, 100rel removal, no-answer timer, chaining, limits)
 * or trunks (limits, failover).
 */
import type { CallTarget } from "../call/call.js";
import type { CallRouting, InboundOrigin, RoutingDecision } from "../call/call-routing.js";
import { bindingDestination } from "../call/caller-auth.js";
import type { LiveBinding } from "../registrar/location-service.js";
import { quoteDisplayName } from "../sip/index.js";
import type { SipRequest } from "../sip/types.js";
import type { ExternalLine, SipTrunk } from "../store/routing-model.js";
import type { Destination, ReceivedMessage } from "../transport/types.js";
import type { Logger } from "../util/logger.js";
import type { CarrierState } from "./carrier-state.js";
import { DigestClient, lineDigestUser } from "./digest-client.js";
import { resolveDestination, resolveHost, sameAddress, type Transport } from "./resolve.js";
import type { Attempt, Caller, Router } from "./router.js";

export interface TrunkCallRoutingOptions {
  readonly router: Router;
  readonly carriers: CarrierState;
  readonly logger: Logger;
  /** Seconds: a line's no-answer timer of 0 means this. */
  readonly noAnswerTime: number;
  /** The host Parley writes in the From of calls to trunks (its domain or address). */
  readonly localHost: string;
  readonly resolve?: (host: string, port: number, transport: Transport) => Promise<Destination>;
  /** Live registrations of a type 1 line's gateway. */
  readonly gatewayBindings?: (account: string) => readonly LiveBinding[];
}

type Received = ReceivedMessage & { message: SipRequest };

function hostPort(host: string, port: number): string {
  return port === 5060 ? host : `${host}:${port}`;
}

export class TrunkCallRouting implements CallRouting {
  private readonly resolve: NonNullable<TrunkCallRoutingOptions["resolve"]>;

  constructor(private readonly o: TrunkCallRoutingOptions) {
    this.resolve = o.resolve ?? resolveDestination;
  }

  /**
   * A peer is its address; over UDP also its port (a SIP element sends from the port it listens
   * on, which is what keeps two peers on one host, e.g. 127.0.0.1 in tests, apart).
   */
  private async fromPeer(rx: Received, host: string, port: number, transport: Transport): Promise<boolean> {
    return (await this.peerMatch(rx, host, port, transport)) === "exact";
  }

  /** "exact": the peer's address (and UDP port); "address": its address from another port. */
  private async peerMatch(
    rx: Received,
    host: string,
    port: number,
    transport: Transport,
  ): Promise<"exact" | "address" | "none"> {
    let address: string;
    try {
      address = await resolveHost(host);
    } catch {
      return "none";
    }
    if (!sameAddress(address, rx.source.address)) return "none";
    return transport !== "udp" || rx.protocol !== "UDP" || rx.source.port === port ? "exact" : "address";
  }

  async identify(rx: Received): Promise<InboundOrigin | undefined> {
    const snapshot = await this.o.router.snapshot();
    const request = rx.message;
    const called = request.uri.user ?? "";
    for (const trunk of snapshot.trunks) {
      if (!(await this.fromPeer(rx, trunk.address, trunk.port, trunk.transport))) continue;
      // FEATURES.md section 4: maximum incoming concurrent calls, 0 = that direction forbidden.
      const calls = this.o.carriers.calls("trunk", trunk.trunkId);
      if (trunk.maxIncomingCalls === 0)
        return { kind: "refuse", status: 403, reason: "Incoming Calls Not Allowed On Trunk" };
      if (trunk.maxIncomingCalls !== null && calls.incoming >= trunk.maxIncomingCalls)
        return { kind: "refuse", status: 403, reason: "Maximum Incoming Calls Reached" };
      return {
        kind: "trunk",
        name: trunk.trunkId,
        dialed: called,
        release: this.o.carriers.acquire("trunk", trunk.trunkId, "incoming"),
        relayMedia: trunk.relayMedia,
      };
    }
    const lines: ExternalLine[] = [];
    for (const line of snapshot.lines) {
      if (line.type !== 0 || line.server === "") continue;
      const hop = line.outboundProxy.enabled
        ? { host: line.outboundProxy.address, port: line.outboundProxy.port }
        : { host: line.server, port: line.serverPort };
      const match = await this.peerMatch(rx, hop.host, hop.port, line.transport);
      // A provider may call from another port of its address: then the INVITE must be addressed
      // to the line's account (the Contact Parley registered).
      if (match === "exact" || (match === "address" && called === line.account)) lines.push(line);
    }
    if (lines.length === 0) return undefined;
    // Several accounts at one provider: the one the INVITE is addressed to (Request-URI, else To).
    const toUser = request.to?.uri.user;
    const line =
      lines.find((l) => l.account === called) ?? lines.find((l) => l.account === toUser) ?? lines[0]!;
    const calls = this.o.carriers.calls("line", line.account);
    if (line.maxConcurrentCalls !== null && calls.incoming + calls.outgoing >= line.maxConcurrentCalls)
      return { kind: "refuse", status: 486, reason: "Line Busy" };
    if (line.transferTo === "auto-attendant")
      return { kind: "refuse", status: 480, reason: "Auto-Attendant Not Available" };
    return {
      kind: "line",
      name: line.account,
      dialed: line.destinationNumber === "" ? called : line.destinationNumber,
      release: this.o.carriers.acquire("line", line.account, "incoming"),
      relayMedia: line.relayMedia,
    };
  }

  async decide(input: Parameters<CallRouting["decide"]>[0]): Promise<RoutingDecision> {
    const snapshot = await this.o.router.snapshot();
    let caller: Caller;
    const { inbound, user } = input;
    let dialed = input.dialed;
    // A type 1 line's gateway authenticated with the line's account: a call in on that line.
    const gateway =
      inbound === undefined && user === undefined
        ? snapshot.lines.find((l) => l.type === 1 && l.account === input.userName)
        : undefined;
    if (inbound?.kind === "trunk") {
      const trunk = snapshot.trunks.find((t) => t.trunkId === inbound.name);
      if (trunk === undefined) return { kind: "refuse", status: 403, reason: "Forbidden" };
      caller = { origin: "trunk", trunk };
    } else if (inbound?.kind === "line") {
      const line = snapshot.lines.find((l) => l.account === inbound.name);
      if (line === undefined) return { kind: "refuse", status: 403, reason: "Forbidden" };
      caller = { origin: "line", line };
    } else if (gateway !== undefined) {
      if (gateway.transferTo === "auto-attendant")
        return { kind: "refuse", status: 480, reason: "Auto-Attendant Not Available" };
      caller = { origin: "line", line: gateway };
      if (gateway.destinationNumber !== "") dialed = gateway.destinationNumber;
    } else {
      caller = {
        origin: "user",
        user: input.userName,
        callRight: user?.callRight ?? 0,
        specificExternalLine: user?.specificExternalLine ?? "",
      };
    }
    const plan = await this.o.router.plan(caller, dialed, true);
    this.o.logger.debug({ dialed, route: plan.route, steps: plan.steps }, "dial plan");
    const route = plan.route;
    switch (route.kind) {
      case "reject":
        return { kind: "refuse", status: route.status, reason: route.reason };
      case "local-user":
        return { kind: "local-user", number: route.number };
      default: {
        if (plan.attempts.length === 0)
          return {
            kind: "refuse",
            status: 503,
            reason: route.kind === "sip-trunk" ? "No SIP Trunk Available" : "No External Line Available",
          };
        const targets: CallTarget[] = [];
        for (const attempt of plan.attempts) {
          const target = await this.target(attempt, input).catch((error: unknown) => {
            this.o.logger.warn({ err: error }, "cannot reach a line or trunk");
            return undefined;
          });
          if (target !== undefined) targets.push(target);
        }
        if (targets.length === 0) return { kind: "refuse", status: 503, reason: "Service Unavailable" };
        const ringing = targets.reduce(
          (sum, t) => sum + (t.outbound?.noAnswerMs || this.o.noAnswerTime * 1000),
          0,
        );
        const first = plan.attempts[0]!.carrier;
        return {
          kind: "outbound",
          number: route.number,
          targets,
          noAnswerMs: ringing,
          maxDurationMs: first.kind === "line" ? first.line.maxDuration * 1000 : 0,
          relayMedia: plan.attempts.some((a) =>
            a.carrier.kind === "line" ? a.carrier.line.relayMedia : a.carrier.trunk.relayMedia,
          ),
        };
      }
    }
  }

  private async target(attempt: Attempt, input: Parameters<CallRouting["decide"]>[0]): Promise<CallTarget> {
    const callerNumber = input.userName;
    const display = input.callerDisplayName;
    if (attempt.carrier.kind === "trunk")
      return this.trunkTarget(attempt.carrier.trunk, attempt.number, callerNumber, display);
    const line = attempt.carrier.line;
    const number = attempt.number;
    if (line.type === 1) return this.gatewayTarget(line, number, callerNumber, display);
    const transport = line.transport === "udp" ? "" : `;transport=${line.transport}`;
    // FEATURES.md section 3: "additional Request-URI parameter ... e.g. user=phone".
    const extra = line.requestUriParameter === "" ? "" : `;${line.requestUriParameter}`;
    const domain = hostPort(line.server, line.serverPort);
    const hop = line.outboundProxy.enabled
      ? { host: line.outboundProxy.address, port: line.outboundProxy.port }
      : { host: line.server, port: line.serverPort };
    const destination = await this.resolve(hop.host, hop.port, line.transport);
    const shown = line.callerNumberAsDisplayName ? callerNumber : display;
    const fromUri = `sip:${line.account}@${domain}`;
    const digest =
      line.password === ""
        ? undefined
        : new DigestClient({ username: lineDigestUser(line), password: line.password });
    return {
      uri: `sip:${number}@${domain}${transport}${extra}`,
      destination,
      routes: [],
      outbound: {
        from: shown === "" ? `<${fromUri}>` : `${quoteDisplayName(shown)} <${fromUri}>`,
        to: `<sip:${number}@${domain}>`,
        ...(digest === undefined
          ? {}
          : { authorize: (challenge, request) => digest.authorize(challenge, request) }),
        no100rel: line.disable100rel,
        noAnswerMs: (line.noAnswerTime > 0 ? line.noAnswerTime : this.o.noAnswerTime) * 1000,
        acquire: () => this.o.carriers.acquire("line", line.account, "outgoing"),
      },
    };
  }

  /** A type 1 line: the call goes to its gateway's registered Contact, reached where it registered from. */
  private gatewayTarget(
    line: ExternalLine,
    number: string,
    callerNumber: string,
    display: string,
  ): CallTarget {
    const binding = this.o.gatewayBindings?.(line.account)[0];
    if (binding === undefined) throw new Error(`gateway of line ${line.account} is not registered`);
    const fromUri = `sip:${callerNumber}@${this.o.localHost}`;
    const shown = line.callerNumberAsDisplayName ? callerNumber : display;
    const contact = binding.contactUri;
    // The gateway dials the number: it goes in the Request-URI's user part.
    const uri = contact.replace(/^(sips?:)(?:[^@;>]*@)?/i, `$1${number}@`);
    return {
      uri,
      destination: bindingDestination(binding),
      routes: binding.path,
      outbound: {
        from: shown === "" ? `<${fromUri}>` : `${quoteDisplayName(shown)} <${fromUri}>`,
        to: `<sip:${number}@${this.o.localHost}>`,
        no100rel: line.disable100rel,
        noAnswerMs: (line.noAnswerTime > 0 ? line.noAnswerTime : this.o.noAnswerTime) * 1000,
        acquire: () => this.o.carriers.acquire("line", line.account, "outgoing"),
      },
    };
  }

  private async trunkTarget(
    trunk: SipTrunk,
    number: string,
    callerNumber: string,
    display: string,
  ): Promise<CallTarget> {
    const transport = trunk.transport === "udp" ? "" : `;transport=${trunk.transport}`;
    const peer = hostPort(
      trunk.address.includes(":") && !trunk.address.startsWith("[") ? `[${trunk.address}]` : trunk.address,
      trunk.port,
    );
    const fromUri = `sip:${callerNumber}@${this.o.localHost}`;
    return {
      uri: `sip:${number}@${peer}${transport}`,
      destination: await this.resolve(trunk.address, trunk.port, trunk.transport),
      routes: [],
      outbound: {
        // The peer sees the caller's own number (the other office dials it back through its trunk).
        from: display === "" ? `<${fromUri}>` : `${quoteDisplayName(display)} <${fromUri}>`,
        to: `<sip:${number}@${peer}>`,
        no100rel: false,
        noAnswerMs: 0,
        acquire: () => this.o.carriers.acquire("trunk", trunk.trunkId, "outgoing"),
      },
    };
  }
}
