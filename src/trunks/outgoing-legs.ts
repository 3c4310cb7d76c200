/**
 * The callee legs of an outgoing call through an external line or a SIP trunk: where the INVITE
 * goes and how it is dressed for the provider or peer (FEATURES.md sections 3 and 4): digest
 * toward the provider, the line's Request-URI parameter, 100rel removal, the no-answer timer, the
 * caller shown, and the count of calls on the line or trunk while the leg lives.
 */
import type { CallTarget } from "../call/call.js";
import { bindingDestination } from "../call/caller-auth.js";
import type { LiveBinding } from "../registrar/location-service.js";
import type { Attempt } from "../routing/routing-plan.js";
import { quoteDisplayName } from "../sip/index.js";
import type { ExternalLine, SipTrunk } from "../store/routing-model.js";
import type { Destination } from "../transport/types.js";
import type { CarrierState } from "./carrier-state.js";
import { DigestClient, lineDigestUser } from "./digest-client.js";
import { resolveDestination, type Transport } from "./resolve.js";

export interface OutgoingLegsOptions {
  readonly carriers: CarrierState;
  /** Seconds: a line's no-answer timer of 0 means this. */
  readonly noAnswerTime: number;
  /** The host Parley writes in the From of calls to trunks and gateways (its domain or address). */
  readonly localHost: string;
  readonly resolve?: (host: string, port: number, transport: Transport) => Promise<Destination>;
  /** Live registrations of a type 1 line's gateway. */
  readonly gatewayBindings?: (account: string) => readonly LiveBinding[];
}

/** Who is calling, as the legs show it. */
export interface LegCaller {
  /** The caller's number (its user name). */
  readonly number: string;
  readonly displayName: string;
}

function hostPort(host: string, port: number): string {
  return port === 5060 ? host : `${host}:${port}`;
}

function fromHeader(shown: string, uri: string): string {
  return shown === "" ? `<${uri}>` : `${quoteDisplayName(shown)} <${uri}>`;
}

export class OutgoingLegs {
  private readonly resolve: NonNullable<OutgoingLegsOptions["resolve"]>;

  constructor(private readonly o: OutgoingLegsOptions) {
    this.resolve = o.resolve ?? resolveDestination;
  }

  /** The leg of one attempt of the routing plan. */
  async target(attempt: Attempt<ExternalLine, SipTrunk>, caller: LegCaller): Promise<CallTarget> {
    if (attempt.carrier.kind === "trunk")
      return this.trunkTarget(attempt.carrier.trunk, attempt.number, caller);
    const line = attempt.carrier.line;
    return line.type === 1
      ? this.gatewayTarget(line, attempt.number, caller)
      : this.lineTarget(line, attempt.number, caller);
  }

  private noAnswerMs(line: ExternalLine): number {
    return (line.noAnswerTime > 0 ? line.noAnswerTime : this.o.noAnswerTime) * 1000;
  }

  /** A type 0 line: the call goes to the provider (or its outbound proxy) as the line's account. */
  private async lineTarget(line: ExternalLine, number: string, caller: LegCaller): Promise<CallTarget> {
    const transport = line.transport === "udp" ? "" : `;transport=${line.transport}`;
    // FEATURES.md section 3: "additional Request-URI parameter ... e.g. user=phone".
    const extra = line.requestUriParameter === "" ? "" : `;${line.requestUriParameter}`;
    const domain = hostPort(line.server, line.serverPort);
    const hop = line.outboundProxy.enabled
      ? { host: line.outboundProxy.address, port: line.outboundProxy.port }
      : { host: line.server, port: line.serverPort };
    const destination = await this.resolve(hop.host, hop.port, line.transport);
    const shown = line.callerNumberAsDisplayName ? caller.number : caller.displayName;
    const digest =
      line.password === ""
        ? undefined
        : new DigestClient({ username: lineDigestUser(line), password: line.password });
    return {
      uri: `sip:${number}@${domain}${transport}${extra}`,
      destination,
      routes: [],
      outbound: {
        from: fromHeader(shown, `sip:${line.account}@${domain}`),
        to: `<sip:${number}@${domain}>`,
        ...(digest === undefined
          ? {}
          : { authorize: (challenge, request) => digest.authorize(challenge, request) }),
        no100rel: line.disable100rel,
        noAnswerMs: this.noAnswerMs(line),
        acquire: () => this.o.carriers.acquire("line", line.account, "outgoing"),
      },
    };
  }

  /** A type 1 line: the call goes to its gateway's registered Contact, reached where it registered from. */
  private gatewayTarget(line: ExternalLine, number: string, caller: LegCaller): CallTarget {
    const binding = this.o.gatewayBindings?.(line.account)[0];
    if (binding === undefined) throw new Error(`gateway of line ${line.account} is not registered`);
    const shown = line.callerNumberAsDisplayName ? caller.number : caller.displayName;
    // The gateway dials the number: it goes in the Request-URI's user part.
    const uri = binding.contactUri.replace(/^(sips?:)(?:[^@;>]*@)?/i, `$1${number}@`);
    return {
      uri,
      destination: bindingDestination(binding),
      routes: binding.path,
      outbound: {
        from: fromHeader(shown, `sip:${caller.number}@${this.o.localHost}`),
        to: `<sip:${number}@${this.o.localHost}>`,
        no100rel: line.disable100rel,
        noAnswerMs: this.noAnswerMs(line),
        acquire: () => this.o.carriers.acquire("line", line.account, "outgoing"),
      },
    };
  }

  private async trunkTarget(trunk: SipTrunk, number: string, caller: LegCaller): Promise<CallTarget> {
    const transport = trunk.transport === "udp" ? "" : `;transport=${trunk.transport}`;
    const peer = hostPort(
      trunk.address.includes(":") && !trunk.address.startsWith("[") ? `[${trunk.address}]` : trunk.address,
      trunk.port,
    );
    return {
      uri: `sip:${number}@${peer}${transport}`,
      destination: await this.resolve(trunk.address, trunk.port, trunk.transport),
      routes: [],
      outbound: {
        // The peer sees the caller's own number (the other office dials it back through its trunk).
        from: fromHeader(caller.displayName, `sip:${caller.number}@${this.o.localHost}`),
        to: `<sip:${number}@${peer}>`,
        no100rel: false,
        noAnswerMs: 0,
        acquire: () => this.o.carriers.acquire("trunk", trunk.trunkId, "outgoing"),
      },
    };
  }
}
