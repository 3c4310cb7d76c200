/**
 * The call engine's routing (src/call/call-routing.ts) as lines and trunks see it: which trunk or
 * line an INVITE comes from (FEATURES.md section 4: "trusted by address") and the lines' own
 * refusals; where a dialed number goes is the routing service's answer (src/routing/
 * routing-service.ts, the one the dry run uses too), whose attempts become the callee legs
 * (outgoing-legs.ts).
 */

import type { CallTarget } from "../call/call.js";
import type { CallRouting, InboundOrigin, RoutingDecision } from "../call/call-routing.js";
import { callStatus } from "../core/status-catalogue.js";
import type { CallerRef, RoutingService } from "../routing/routing-service.js";
import { AUTO_ATTENDANT_SERVICE, RINGING_GROUP_SERVICE, SCRIPT_SERVICE } from "../routing/types.js";
import type { SipRequest } from "../sip/types.js";
import type { ExternalLine } from "../store/routing-model.js";
import type { RoutingSnapshot } from "../store/routing-validation.js";
import type { ReceivedMessage } from "../transport/types.js";
import type { Logger } from "../util/logger.js";
import type { CarrierState } from "./carrier-state.js";
import type { OutgoingLegs } from "./outgoing-legs.js";
import { resolveHost, sameAddress, type Transport } from "./resolve.js";
import { fromTrunk } from "./trunk-peer.js";

export interface TrunkCallRoutingOptions {
  readonly routing: RoutingService<RoutingSnapshot>;
  readonly legs: OutgoingLegs;
  readonly carriers: CarrierState;
  readonly logger: Logger;
  /** Seconds: a leg's no-answer timer of 0 counts as this in the whole call's ringing time. */
  readonly noAnswerTime: number;
}

type Received = ReceivedMessage & { message: SipRequest };

export class TrunkCallRouting implements CallRouting {
  constructor(private readonly o: TrunkCallRoutingOptions) {}

  /** A line's provider. "exact": its address (and UDP port); "address": its address from another port. */
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
    const snapshot = await this.o.routing.snapshot();
    const request = rx.message;
    const called = request.uri.user ?? "";
    for (const trunk of snapshot.trunks) {
      if (!(await fromTrunk(rx, trunk))) continue;
      // FEATURES.md section 4: maximum incoming concurrent calls, 0 = that direction forbidden.
      const calls = this.o.carriers.calls("trunk", trunk.trunkId);
      if (trunk.maxIncomingCalls === 0) return { kind: "refuse", ...callStatus("trunk-incoming-forbidden") };
      if (trunk.maxIncomingCalls !== null && calls.incoming >= trunk.maxIncomingCalls)
        return { kind: "refuse", ...callStatus("trunk-max-incoming-calls") };
      return {
        kind: "trunk",
        name: trunk.trunkId,
        dialed: called,
        release: this.o.carriers.acquire("trunk", trunk.trunkId, "incoming"),
        relayMedia: trunk.relayMedia,
        recordCalls: trunk.recordCalls,
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
      return { kind: "refuse", ...callStatus("line-busy") };
    // A line set to the auto-attendant: the attendant (a service at "attempted", after hunt
    // group detection, which has priority: FEATURES.md section 5, example 3) answers the call.
    return {
      kind: "line",
      name: line.account,
      dialed:
        line.destinationNumber === "" || line.transferTo === "auto-attendant"
          ? called
          : line.destinationNumber,
      release: this.o.carriers.acquire("line", line.account, "incoming"),
      relayMedia: line.relayMedia,
      recordCalls: line.recordCalls,
    };
  }

  /**
   * Where the dialed number goes: the routing service decides (dial plan, line or trunk choice);
   * this side names the caller as the service knows it and turns each attempt into a leg.
   */
  async decide(input: Parameters<CallRouting["decide"]>[0]): Promise<RoutingDecision> {
    const { inbound, user } = input;
    let dialed = input.dialed;
    let caller: CallerRef;
    // A type 1 line's gateway authenticated with the line's account: a call in on that line.
    const gateway =
      inbound === undefined && user === undefined
        ? (await this.o.routing.snapshot()).lines.find((l) => l.type === 1 && l.account === input.userName)
        : undefined;
    if (inbound?.kind === "trunk") caller = { origin: "trunk", trunkId: inbound.name };
    // A line set to the auto-attendant is routed for what the attendant chose (the number the
    // caller keyed, or its time condition's destination), with the line's rights.
    else if (inbound?.kind === "line") caller = { origin: "line", account: inbound.name };
    else if (gateway !== undefined) {
      caller = { origin: "line", account: gateway.account };
      if (gateway.destinationNumber !== "" && gateway.transferTo !== "auto-attendant")
        dialed = gateway.destinationNumber;
    } else {
      caller = {
        origin: "user",
        user: {
          name: input.userName,
          callRight: user?.callRight ?? 0,
          specificExternalLine: user?.specificExternalLine ?? "",
        },
      };
    }
    const decision = await this.o.routing.decide(caller, dialed);
    this.o.logger.debug({ dialed, route: decision.plan?.route, steps: decision.plan?.steps }, "dial plan");
    if (decision.kind === "ringing-group")
      return {
        kind: "service",
        service: RINGING_GROUP_SERVICE,
        number: decision.number,
        argument: String(decision.groupId),
      };
    if (decision.kind === "auto-attendant")
      return { kind: "service", service: AUTO_ATTENDANT_SERVICE, number: decision.number, argument: "" };
    // A script route: the script service runs the named script; none registered refuses the call.
    if (decision.kind === "script")
      return { kind: "service", service: SCRIPT_SERVICE, number: decision.number, argument: decision.script };
    if (decision.kind !== "outbound") {
      const { plan: _plan, ...rest } = decision;
      return rest;
    }
    const targets: CallTarget[] = [];
    const legCaller = { number: input.userName, displayName: input.callerDisplayName };
    for (const attempt of decision.attempts) {
      const target = await this.o.legs.target(attempt, legCaller).catch((error: unknown) => {
        this.o.logger.warn({ err: error }, "cannot reach a line or trunk");
        return undefined;
      });
      if (target !== undefined) targets.push(target);
    }
    if (targets.length === 0) return { kind: "refuse", ...callStatus("leg-failed") };
    const ringing = targets.reduce(
      (sum, t) => sum + (t.outbound?.noAnswerMs || this.o.noAnswerTime * 1000),
      0,
    );
    const first = decision.attempts[0]!.carrier;
    return {
      kind: "outbound",
      number: decision.number,
      targets,
      noAnswerMs: ringing,
      maxDurationMs: first.kind === "line" ? first.line.maxDuration * 1000 : 0,
      relayMedia: decision.attempts.some((a) =>
        a.carrier.kind === "line" ? a.carrier.line.relayMedia : a.carrier.trunk.relayMedia,
      ),
      recordCalls: decision.attempts.some((a) =>
        a.carrier.kind === "line" ? a.carrier.line.recordCalls : a.carrier.trunk.recordCalls,
      ),
    };
  }
}
