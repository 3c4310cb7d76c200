/**
 * The call engine: the INVITE handler of the core. An out-of-dialog INVITE is answered 100 at
 * once, authenticated (407, RFC 3261 22.3; before the callee is looked up, so a scanner learns
 * nothing), checked against the caller's limits, resolved to the callee's bindings and handed to
 * a Call. It also keeps the calls in progress for the API (CallsView) and the users' call state.
 */
import { randomUUID } from "node:crypto";
import type { ActiveCall, CallsView, UserState } from "./call-view-types.js";
import type { Authenticator } from "../auth/authenticator.js";
import type { DialogManager, UasInvite } from "../dialog/index.js";
import type { LiveBinding } from "../registrar/location-service.js";
import type { SipRequest, SipResponse } from "../sip/types.js";
import type { CdrSink } from "../store/cdr-csv-writer.js";
import type { NewCallRecord } from "../store/cdr-model.js";
import type { LocalUser } from "../store/user-model.js";
import type { ServerTransaction } from "../transaction/types.js";
import type { ReceivedMessage } from "../transport/types.js";
import type { Clock } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import { Call, type CallOptions, type CallTarget } from "./call.js";
import type { CallMedia, CallMediaProvider } from "./call-media.js";
import type { CallRouting, InboundOrigin, RoutingDecision } from "./call-routing.js";
import { authenticateCaller, bindingDestination } from "./caller-auth.js";
import { defaultLegPolicy, type LegPolicy } from "./leg-policy.js";
import { type ResolvedTarget, TransferHandler } from "./transfer.js";
import { type CallOutcome, type CallParty, failureDisposition } from "./types.js";

export interface CallEngineOptions {
  readonly dialogs: DialogManager;
  readonly authenticator: Authenticator;
  readonly users: {
    lookup(domainId: number, name: string): Promise<{ readonly user: LocalUser } | undefined>;
  };
  readonly location: {
    lookup(domainId: number, user: string): readonly LiveBinding[];
    isOnline(domainId: number, user: string): boolean;
  };
  readonly cdrs: CdrSink;
  readonly domain: { readonly id: number; readonly realm: string };
  readonly clock: Clock;
  /** Wall-clock epoch milliseconds. */
  readonly now: () => number;
  /** The Allow value (SipCore.allow). */
  readonly allow: () => string;
  /** A response built by the core (its To tag and Server header). */
  readonly response: (request: SipRequest, status: number, reason: string) => SipResponse;
  readonly logger: Logger;
  /** The system's no-answer time in seconds, for callees without their own. */
  readonly noAnswerTime: number;
  readonly policy?: LegPolicy;
  /** The media relay (issue 6); without it media always flows phone to phone. */
  readonly media?: CallMediaProvider;
  /** The dial plan, external lines and SIP trunks (issue 5); without it, local users only. */
  readonly routing?: CallRouting;
  /** Called whenever a call starts, changes state or ends (the admin UI's live events). */
  readonly onCallsChanged?: () => void;
}

type Received = ReceivedMessage & { message: SipRequest };

/** A refusal before any callee is rung. */
interface Refusal extends CallOutcome {
  readonly callee?: string;
}

export class CallEngine implements CallsView {
  private readonly calls = new Map<string, Call>();
  /** Calls in and out per user, and calls out (issue 4: concurrency limits). */
  private readonly active = new Map<string, number>();
  private readonly outgoing = new Map<string, number>();
  private readonly policy: LegPolicy;
  /** The relayed media of the calls in progress, by call id. */
  private readonly media = new Map<string, CallMedia>();
  private readonly transfers: TransferHandler;
  /** Ends a call's count on the trunk or line it came in on, by call id. */
  private readonly inboundReleases = new Map<string, () => void>();

  constructor(private readonly o: CallEngineOptions) {
    this.policy = o.policy ?? defaultLegPolicy;
    this.transfers = new TransferHandler({
      dialogs: o.dialogs,
      clock: o.clock,
      now: o.now,
      allow: o.allow,
      logger: o.logger,
      resolve: (number) => this.transferTarget(number),
      findCall: (dialog) => {
        for (const call of this.calls.values()) if (call.has(dialog)) return call;
        return undefined;
      },
      partyChanged: (_call, before, after, callerSide) => {
        this.add(this.active, before, -1);
        this.add(this.active, after, 1);
        if (callerSide) {
          this.add(this.outgoing, before, -1);
          this.add(this.outgoing, after, 1);
        }
      },
    });
  }

  get size(): number {
    return this.calls.size;
  }

  /** The core's MethodHandler for INVITE (out of dialog: in-dialog ones go to their dialog). */
  readonly handle = (rx: Received, tx: ServerTransaction): void => {
    const uas = this.o.dialogs.receiveInvite(rx, tx);
    if (uas === undefined) return;
    // RFC 3261 17.2.1 / 16.2: 100 Trying at once, Parley will take more than 200 ms.
    uas.progress(100);
    this.process(rx, uas).catch((error: unknown) => {
      this.o.logger.error({ err: error, callId: rx.message.callId }, "INVITE failed");
      uas.reject(500, { reason: "Server Internal Error" });
    });
  };

  /**
   * The core's MethodHandler for REFER outside a dialog (in-dialog REFERs are transfers, handled by
   * their call). RFC 3515 allows it to start a new dialog; Parley transfers only calls it bridges.
   */
  readonly handleRefer = (rx: Received, tx: ServerTransaction): void => {
    tx.respond(this.o.response(rx.message, 403, "REFER Outside A Call Not Allowed"));
  };

  private async process(rx: Received, uas: UasInvite): Promise<void> {
    // Issue 5: a call from a SIP trunk's or an external line's address is trusted by address
    // (FEATURES.md section 4); anything else authenticates as a local user.
    const inbound = await this.o.routing?.identify(rx);
    if (inbound?.kind === "refuse") {
      uas.reject(inbound.status, { reason: inbound.reason });
      return;
    }
    const call = await this.processFrom(rx, uas, inbound).catch((error: unknown) => {
      inbound?.release();
      throw error;
    });
    if (call === undefined) inbound?.release();
    else if (inbound !== undefined) this.inboundReleases.set(call.id, inbound.release);
  }

  private async processFrom(
    rx: Received,
    uas: UasInvite,
    inbound: InboundOrigin | undefined,
  ): Promise<Call | undefined> {
    const request = rx.message;
    const { domain } = this.o;
    let username = request.from?.uri.user ?? "";
    if (inbound === undefined) {
      const auth = await authenticateCaller(this.o.authenticator, domain, rx);
      if (auth.kind === "reject") {
        uas.reject(auth.status, { reason: auth.reason, headers: auth.headers });
        return;
      }
      username = auth.username;
    }
    // A trunk's or line's caller is a number of the outside world, never one of our users.
    const callerEntry = inbound === undefined ? await this.o.users.lookup(domain.id, username) : undefined;
    const callerUser = callerEntry?.user;
    const caller: CallParty = {
      domainId: domain.id,
      user: username,
      displayName: callerUser?.displayName ?? request.from?.displayName ?? "",
    };
    const startedAt = this.o.now();
    const dialed =
      inbound !== undefined && inbound.kind !== "refuse" ? inbound.dialed : (request.uri.user ?? "");
    const refuse = (r: Refusal): void => {
      if (uas.state !== "proceeding") return;
      uas.reject(r.status, { reason: r.reason });
      this.record(this.refusalRecord(caller, dialed, uas, startedAt, r));
    };
    // Issue 4: the caller's limits, refused with a clear status and reason.
    if (callerUser !== undefined) {
      if (this.count(this.active, caller) >= callerUser.maxConcurrentCalls) {
        refuse({ disposition: "failed", status: 403, reason: "Maximum Concurrent Calls Reached" });
        return;
      }
      if (this.count(this.outgoing, caller) >= callerUser.maxConcurrentOutgoingCalls) {
        refuse({ disposition: "failed", status: 403, reason: "Maximum Concurrent Outgoing Calls Reached" });
        return;
      }
    }
    // Issue 5: the dial plan says where the number goes: a local user, a line, a trunk, a refusal.
    const decision: RoutingDecision =
      this.o.routing === undefined
        ? { kind: "local-user", number: dialed }
        : await this.o.routing.decide({
            user: callerUser,
            userName: caller.user,
            callerDisplayName: caller.displayName,
            inbound,
            dialed,
          });
    if (decision.kind === "refuse") {
      refuse({
        disposition: failureDisposition(decision.status),
        status: decision.status,
        reason: decision.reason,
      });
      return;
    }
    if (decision.kind === "outbound")
      return this.startOutbound(rx, uas, caller, callerUser, dialed, decision);
    const number = decision.number;
    const calleeEntry = number === "" ? undefined : await this.o.users.lookup(domain.id, number);
    if (calleeEntry === undefined) {
      refuse({ disposition: "failed", status: 404, reason: "Not Found" });
      return;
    }
    const calleeUser = calleeEntry.user;
    const callee: CallParty = {
      domainId: domain.id,
      user: calleeUser.name,
      displayName: calleeUser.displayName,
    };
    if (this.count(this.active, callee) >= calleeUser.maxConcurrentCalls) {
      refuse({ disposition: "busy", status: 486, reason: "Busy Here", callee: callee.user });
      return;
    }
    const bindings = this.o.location.lookup(domain.id, callee.user);
    if (bindings.length === 0) {
      refuse({ disposition: "failed", status: 480, reason: "Temporarily Unavailable", callee: callee.user });
      return;
    }
    if (uas.state !== "proceeding") return; // cancelled while looking up
    const id = randomUUID();
    const media = await this.o.media?.forCall({
      callId: id,
      callerContactHost: request.get("contact"),
      callerSdp: request.body,
      callerSource: rx.source.address,
      callerRelayMedia:
        callerUser?.relayMedia ??
        (inbound !== undefined && inbound.kind !== "refuse" && inbound.relayMedia === true),
      calleeRelayMedia: calleeUser.relayMedia,
      calleeBindings: bindings,
    });
    if (uas.state !== "proceeding") {
      media?.close();
      return; // cancelled while the relay allocated
    }
    const noAnswer = calleeUser.noAnswerTime > 0 ? calleeUser.noAnswerTime : this.o.noAnswerTime;
    const call = new Call({
      id,
      dialogs: this.o.dialogs,
      clock: this.o.clock,
      now: this.o.now,
      // The relay rewrites the SDP crossing legs (leg-policy.ts sdp hook).
      policy: this.withMedia(media),
      allow: this.o.allow(),
      caller,
      callee,
      dialed,
      host: request.uri.host,
      uas,
      targets: bindings.map(targetOf),
      noAnswerMs: noAnswer * 1000,
      maxDurationMs: (callerUser?.maxDuration ?? 0) * 1000,
      ...this.callHooks(media),
    });
    this.launch(call, media, { caller: caller.user, dialed, forks: bindings.length }, "call started");
    return call;
  }

  /** Issue 5: a call out through external lines or a SIP trunk, tried one after another. */
  private async startOutbound(
    rx: Received,
    uas: UasInvite,
    caller: CallParty,
    callerUser: LocalUser | undefined,
    dialed: string,
    decision: Extract<RoutingDecision, { kind: "outbound" }>,
  ): Promise<Call | undefined> {
    if (uas.state !== "proceeding") return; // cancelled while routing
    const id = randomUUID();
    // Issue 6: the caller's NAT or relay setting, or the line's or trunk's "relay media".
    const media = await this.o.media?.forCall({
      callId: id,
      callerContactHost: uas.request.get("contact"),
      callerSdp: uas.request.body,
      callerSource: rx.source.address,
      callerRelayMedia: callerUser?.relayMedia ?? false,
      calleeRelayMedia: decision.relayMedia === true,
      calleeBindings: [],
    });
    if (uas.state !== "proceeding") {
      media?.close();
      return; // cancelled while the relay allocated
    }
    const callee: CallParty = { domainId: caller.domainId, user: decision.number, displayName: "" };
    const durations = [(callerUser?.maxDuration ?? 0) * 1000, decision.maxDurationMs].filter((d) => d > 0);
    const call = new Call({
      id,
      dialogs: this.o.dialogs,
      clock: this.o.clock,
      now: this.o.now,
      policy: this.withMedia(media),
      allow: this.o.allow(),
      caller,
      callee,
      dialed,
      host: uas.request.uri.host,
      uas,
      targets: decision.targets,
      sequential: true,
      noAnswerMs: decision.noAnswerMs,
      maxDurationMs: durations.length === 0 ? 0 : Math.min(...durations),
      ...this.callHooks(media),
    });
    this.launch(
      call,
      media,
      { caller: caller.user, dialed, number: decision.number, attempts: decision.targets.length },
      "outgoing call started",
    );
    return call;
  }

  /** What every call reports back to the engine (state changes, its end, transfers, errors). */
  private callHooks(
    media: CallMedia | undefined,
  ): Pick<CallOptions, "onChange" | "onEnd" | "onRefer" | "onError"> {
    return {
      onChange: (changed) => {
        if (changed.state === "answered") media?.answered();
        this.o.onCallsChanged?.();
      },
      onEnd: (ended, record) => this.ended(ended, record),
      onRefer: this.transfers.handle,
      onError: (error) => this.o.logger.warn({ err: error }, "call leg error"),
    };
  }

  /** Counts a new call against its parties' limits and starts ringing. */
  private launch(call: Call, media: CallMedia | undefined, fields: object, message: string): void {
    this.calls.set(call.id, call);
    this.watchMedia(call, media);
    this.add(this.active, call.caller, 1);
    this.add(this.outgoing, call.caller, 1);
    this.add(this.active, call.callee, 1);
    this.o.logger.info({ call: call.id, ...fields }, message);
    call.start();
    this.o.onCallsChanged?.();
  }

  /** The leg policy of a call: the relay rewrites the SDP crossing legs (leg-policy.ts sdp hook). */
  private withMedia(media: CallMedia | undefined): LegPolicy {
    return media === undefined
      ? this.policy
      : { ...this.policy, sdp: (body, context) => media.sdp(body, context) };
  }

  /** Keeps a call's relayed media (released in ended()); the media timeout hangs the call up. */
  private watchMedia(call: Call, media: CallMedia | undefined): void {
    if (media === undefined) return;
    this.media.set(call.id, media);
    media.onTimeout(() => {
      this.o.logger.info({ call: call.id }, "media timeout: a phone stopped sending RTP, ending the call");
      call.hangup();
    });
  }

  /** A transfer target: a local user with bindings and room for a call (as for a new call). */
  private async transferTarget(number: string): Promise<ResolvedTarget> {
    const { domain } = this.o;
    const entry = number === "" ? undefined : await this.o.users.lookup(domain.id, number);
    if (entry === undefined) return { ok: false, status: 404, reason: "Not Found" };
    const user = entry.user;
    const party: CallParty = { domainId: domain.id, user: user.name, displayName: user.displayName };
    if (this.count(this.active, party) >= user.maxConcurrentCalls)
      return { ok: false, status: 486, reason: "Busy Here" };
    const bindings = this.o.location.lookup(domain.id, user.name);
    if (bindings.length === 0) return { ok: false, status: 480, reason: "Temporarily Unavailable" };
    const noAnswer = user.noAnswerTime > 0 ? user.noAnswerTime : this.o.noAnswerTime;
    return { ok: true, party, targets: bindings.map(targetOf), noAnswerMs: noAnswer * 1000 };
  }

  private ended(call: Call, record: NewCallRecord): void {
    if (this.calls.get(call.id) !== call) return;
    this.calls.delete(call.id);
    this.inboundReleases.get(call.id)?.();
    this.inboundReleases.delete(call.id);
    this.add(this.active, call.caller, -1);
    this.add(this.outgoing, call.caller, -1);
    this.add(this.active, call.callee, -1);
    this.o.logger.info(
      { call: call.id, disposition: record.disposition, status: record.sipStatus },
      "call ended",
    );
    const media = this.media.get(call.id);
    if (media === undefined) {
      this.record(record);
      return;
    }
    // The CDR waits for the relay's final figures (issue 6: per-leg stats in the CDR).
    this.media.delete(call.id);
    media.close().then(
      (stats) => this.record({ ...record, media: { ...stats } }),
      () => this.record(record),
    );
    this.o.onCallsChanged?.();
  }

  private record(record: NewCallRecord): void {
    this.o.cdrs.record(record).then(undefined, () => {});
  }

  private refusalRecord(
    caller: CallParty,
    dialed: string,
    uas: UasInvite,
    startedAt: number,
    r: Refusal,
  ): NewCallRecord {
    const endedAt = this.o.now();
    const record: NewCallRecord = {
      domainId: caller.domainId,
      callId: randomUUID(),
      caller: caller.user,
      callerName: caller.displayName,
      dialed,
      startedAt,
      endedAt,
      disposition: r.disposition === "answered" ? failureDisposition(r.status) : r.disposition,
      sipStatus: r.status,
      sipReason: r.reason,
      legs: [
        {
          role: "caller",
          peer: uas.request.get("contact") ?? uas.request.from?.uri.raw ?? "",
          callId: uas.request.callId ?? "",
          status: r.status,
          startedAt,
          endedAt,
        },
      ],
    };
    if (r.callee !== undefined) record.callee = r.callee;
    return record;
  }

  // --- CallsView ---

  list(): ActiveCall[] {
    return [...this.calls.values()].map((c) => {
      const view = c.view();
      const media = this.media.get(c.id)?.stats();
      if (media === undefined) return view;
      // The caller's leg faces relay side "a"; the answered (or ringing) callee leg side "b".
      const legs = view.legs.map((leg) => ({
        ...leg,
        media: leg.role === "caller" ? media.caller : media.callee,
      }));
      return { ...view, legs, media: { relayed: true, reason: media.reason } };
    });
  }

  async hangup(id: string): Promise<boolean> {
    const call = this.calls.get(id);
    return call === undefined ? false : call.hangup();
  }

  /** FEATURES.md section 2: talking in an answered call, ringing while called, else registration. */
  userState(domainId: number, name: string): UserState {
    let ringing = false;
    for (const call of this.calls.values()) {
      const caller = call.caller.domainId === domainId && call.caller.user === name;
      const callee = call.callee.domainId === domainId && call.callee.user === name;
      if (!caller && !callee) continue;
      if (call.state === "answered") return "talking";
      if (callee && call.state === "ringing") ringing = true;
    }
    if (ringing) return "ringing";
    return this.o.location.isOnline(domainId, name) ? "online" : "offline";
  }

  /** Ends every call (BYE or CANCEL) at shutdown. */
  closeAll(): void {
    for (const call of [...this.calls.values()]) call.hangup();
  }

  private count(map: Map<string, number>, party: CallParty): number {
    return map.get(`${party.domainId}\u0000${party.user}`) ?? 0;
  }

  private add(map: Map<string, number>, party: CallParty, delta: number): void {
    const key = `${party.domainId}\u0000${party.user}`;
    const next = (map.get(key) ?? 0) + delta;
    if (next <= 0) map.delete(key);
    else map.set(key, next);
  }
}

/** A binding as a target: its Contact, sent to where the REGISTER came from (the NAT-observed address). */
function targetOf(binding: LiveBinding): CallTarget {
  return {
    uri: binding.contactUri,
    destination: bindingDestination(binding),
    routes: binding.path,
  };
}
