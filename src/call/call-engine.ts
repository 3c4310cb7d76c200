/**
 * The call engine: the INVITE handler of the core. Every out-of-dialog INVITE is answered 100 at
 * once and passes the stages of the call lifecycle (docs/call-lifecycle.md), each a small function
 * in stages/ returning its result or a typed refusal:
 *   identify → authenticate → limits → [attempted] → route → resolve → [reachesCallee]
 *   → [busy | unreachable] → connect (fork) → [busy | noAnswer | unreachable] → answered → ended
 * (brackets: detection points, where services attach through the DetectionPointTable). It keeps
 * the calls in progress for the API (CallsView), the parties' counts and live state, and
 * publishes typed call events.
 */

import { randomUUID } from "node:crypto";
import type { Authenticator } from "../auth/authenticator.js";
import { callStatus } from "../core/status-catalogue.js";
import type { DialogManager, UasInvite } from "../dialog/index.js";
import { TypedEmitter } from "../dialog/typed-emitter.js";
import type { LiveBinding } from "../registrar/location-service.js";
import { ownCopy } from "../sip/index.js";
import type { SipRequest, SipResponse } from "../sip/types.js";
import type { CdrSink } from "../store/cdr-csv-writer.js";
import type { NewCallRecord } from "../store/cdr-model.js";
import type { LocalUser } from "../store/user-model.js";
import type { ServerTransaction } from "../transaction/types.js";
import type { Clock } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import { Call } from "./call.js";
import { EngineCallControl } from "./call-control.js";
import type { CallEventName, CallEvents } from "./call-events.js";
import type { CallMedia, CallMediaProvider } from "./call-media.js";
import { recordingRequest, withMediaStats } from "./call-recording.js";
import { refusalRecord } from "./call-records.js";
import type { CallRouting } from "./call-routing.js";
import type { ActiveCall, CallsView, UserState } from "./call-view-types.js";
import { DetectionPointTable } from "./detection-points.js";
import type { HoldMusicProvider } from "./hold-music.js";
import type { LegAddressing } from "./leg-address.js";
import { overWebSocket } from "./leg-address.js";
import { defaultLegPolicy, type LegPolicy } from "./leg-policy.js";
import { PartyIndex } from "./party-index.js";
import { type Refusal, rejectOptions } from "./refusal.js";
import { RingingMembers } from "./ringing-members.js";
import { planAttempt } from "./stages/attempted.js";
import { authenticate, outsideCaller } from "./stages/authenticate.js";
import {
  type CallerContext,
  type CallerIdentity,
  type Identified,
  identityOf,
  type ReceivedInvite,
} from "./stages/context.js";
import { identifyCaller } from "./stages/identify.js";
import { checkCallerLimits } from "./stages/limits.js";
import { follow, followRedirect, type Plan, type PlanDeps, replan } from "./stages/plan.js";
import { findCallee, userTargets } from "./stages/resolve-targets.js";
import type { FeatureCodes } from "./stages/route.js";
import { type ResolvedTarget, TransferHandler, transferServiceFor } from "./transfer.js";

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
  /** The system's no-answer time in seconds, for callees without their own (a function: read per call). */
  readonly noAnswerTime: number | (() => number);
  readonly policy?: LegPolicy;
  /** Each leg's local address for the SDP Parley writes (issue 23; the transport). */
  readonly addressing?: LegAddressing;
  /** The media relay (issue 6); without it media always flows phone to phone. */
  readonly media?: CallMediaProvider;
  /** The dial plan, external lines and SIP trunks (issue 5); without it, local users only. */
  readonly routing?: CallRouting;
  /** Music on hold while a phone holds a call (src/call/hold-music.ts). */
  readonly holdMusic?: HoldMusicProvider;
  /** The feature code table, analysed before the dial plan (the services fill it). */
  readonly features?: FeatureCodes;
  /** The detection points' table; the engine makes an empty one when not given. */
  readonly points?: DetectionPointTable;
}

export class CallEngine implements CallsView {
  /** Per call, how many hold changes it has seen (a late user lookup must not start music). */
  private readonly holdGenerations = new WeakMap<Call, number>();
  /** Services attach here (ARCHITECTURE.md: the engine knows points, never services). */
  readonly points: DetectionPointTable;
  private readonly calls = new Map<string, Call>();
  private readonly index = new PartyIndex();
  private readonly members = new RingingMembers();
  private readonly events: TypedEmitter<CallEvents>;
  private readonly policy: LegPolicy;
  /** The relayed media of the calls in progress, by call id. */
  private readonly media = new Map<string, CallMedia>();
  private readonly transfers: TransferHandler;
  /** Ends a call's count on the trunk or line it came in on, by call id. */
  private readonly inboundReleases = new Map<string, () => void>();
  readonly planDeps: PlanDeps;
  /** What services may do with the calls in progress (pick-up, park, break-in, join). */
  readonly control: EngineCallControl;
  /** Who called, per call: what a hand-off from an auto-attendant is routed as. */
  private readonly identities = new WeakMap<Call, CallerIdentity>();

  constructor(private readonly o: CallEngineOptions) {
    this.policy = o.policy ?? defaultLegPolicy;
    this.points = o.points ?? new DetectionPointTable(o.logger);
    this.events = new TypedEmitter((error) => o.logger.warn({ err: error }, "call event listener failed"));
    this.planDeps = {
      domainId: o.domain.id,
      users: o.users,
      location: o.location,
      noAnswerTime: o.noAnswerTime,
      routing: o.routing,
      features: o.features,
      points: this.points,
      index: this.index,
    };
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
      service: (number) => transferServiceFor(this.points, o.features, number),
    });
    this.control = new EngineCallControl({
      ...o,
      calls: this.calls,
      index: this.index,
      members: this.members,
      resolve: (number) => this.transferTarget(number),
      plan: async (call, verdict) => {
        const identity = this.identities.get(call);
        if (identity === undefined) return callStatus("no-such-call");
        const plan = await follow(this.planDeps, identity, verdict, []);
        return plan.ok ? plan.value.next : { status: plan.refusal.status, reason: plan.refusal.reason };
      },
      onError: (error) => o.logger.warn({ err: error }, "call control failed"),
    });
  }

  get size(): number {
    return this.calls.size;
  }

  /** Subscribes to a typed call event; returns the removal. */
  on<K extends CallEventName>(name: K, listener: (event: CallEvents[K]) => void): () => void {
    return this.events.on(name, listener);
  }

  /** The core's MethodHandler for INVITE (out of dialog: in-dialog ones go to their dialog). */
  readonly handle = (rx: ReceivedInvite, tx: ServerTransaction): void => {
    const uas = this.o.dialogs.receiveInvite(rx, tx);
    if (uas === undefined) return; // 100 Trying once authenticated: a challenge goes alone
    this.process(rx, uas).catch((error: unknown) => {
      this.o.logger.error({ err: error, callId: rx.message.callId }, "INVITE failed");
      uas.reject(500, { reason: callStatus("internal-error").reason });
    });
  };

  /**
   * The core's MethodHandler for REFER outside a dialog (in-dialog REFERs are transfers, handled by
   * their call). RFC 3515 allows it to start a new dialog; Parley transfers only calls it bridges.
   */
  readonly handleRefer = (rx: ReceivedInvite, tx: ServerTransaction): void => {
    const { status, reason } = callStatus("refer-outside-call");
    tx.respond(this.o.response(rx.message, status, reason));
  };

  /** Stage 1, then the rest; the inbound trunk's or line's count lives as long as the call. */
  private async process(rx: ReceivedInvite, uas: UasInvite): Promise<void> {
    const identified = await identifyCaller(this.o.routing, rx);
    if (!identified.ok) {
      this.refuse(uas, outsideCaller(this.o.domain.id, rx, uas, this.o.now()), identified.refusal);
      return;
    }
    const inbound = identified.value.kind === "inbound" ? identified.value.origin : undefined;
    const call = await this.attempt(rx, uas, identified.value).catch((error: unknown) => {
      inbound?.release();
      throw error;
    });
    if (call === undefined) inbound?.release();
    else if (inbound !== undefined) this.inboundReleases.set(call.id, inbound.release);
  }

  /** Stages 2 to 7: authenticate, limits, [attempted], plan (route, resolve, services), connect. */
  private async attempt(
    rx: ReceivedInvite,
    uas: UasInvite,
    identified: Identified,
  ): Promise<Call | undefined> {
    const authed = await authenticate(this.o, rx, uas, identified);
    if (!authed.ok) return this.refuse(uas, undefined, authed.refusal);
    // RFC 3261 17.2.1 / 16.2: 100 Trying at once, Parley will take more than 200 ms.
    if (uas.state === "proceeding") uas.progress(100);
    const caller = authed.value;
    const limits = checkCallerLimits(this.index, caller);
    if (!limits.ok) return this.refuse(uas, caller, limits.refusal);
    const { plan, caller: who } = await planAttempt(this.points, this.planDeps, caller);
    if (!plan.ok) return this.refuse(uas, who, plan.refusal);
    return this.connect(who, plan.value);
  }

  /** A refusal: the caller gets its status; a call that was attempted leaves a CDR. */
  private refuse(uas: UasInvite, caller: CallerContext | undefined, refusal: Refusal): undefined {
    if (uas.state !== "proceeding") return undefined;
    uas.reject(refusal.status, rejectOptions(refusal));
    if (caller !== undefined && refusal.recorded)
      this.record(refusalRecord(caller, uas, this.o.now(), refusal));
    return undefined;
  }

  /** Stage 7, connect: the media relay (when needed) and a Call that forks to the plan's targets. */
  private async connect(caller: CallerContext, plan: Plan): Promise<Call | undefined> {
    const { uas, rx } = caller;
    if (uas.state !== "proceeding") return; // cancelled while routing
    // An own flat copy: Node 20's UUID string is a chain of pieces (about 350 B per call).
    const id = ownCopy(randomUUID());
    const request = uas.request;
    const next = plan.next;
    // A media endpoint is Parley's own media: nothing to relay between phones.
    const media =
      next.kind === "endpoint"
        ? undefined
        : await this.o.media?.forCall({
            callId: id,
            callerContactHost: request.get("contact"),
            callerSdp: request.body,
            callerSource: rx.source.address,
            // Issue 6: the caller's NAT or relay setting, or the line's or trunk's "relay media".
            callerRelayMedia: caller.user?.relayMedia ?? caller.inbound?.relayMedia === true,
            calleeRelayMedia: plan.calleeRelayMedia,
            recording: recordingRequest(identityOf(caller), plan),
            calleeBindings: plan.outbound
              ? []
              : next.set.targets.map((t) => ({
                  contactUri: t.uri,
                  sourceAddress: t.destination.address,
                  webSocket: overWebSocket(t.destination.protocol),
                })),
          });
    if (uas.state !== "proceeding") {
      media?.close();
      return; // cancelled while the relay allocated
    }
    // What the services at busy / no answer / unreachable read: the caller without its INVITE.
    const identity = identityOf(caller);
    const durations = [(caller.user?.maxDuration ?? 0) * 1000, plan.maxDurationMs].filter((d) => d > 0);
    const call: Call = new Call({
      id,
      dialogs: this.o.dialogs,
      clock: this.o.clock,
      now: this.o.now,
      // The relay rewrites the SDP crossing legs (leg-policy.ts sdp hook).
      policy: this.withMedia(media),
      ...(this.o.addressing === undefined ? {} : { addressing: this.o.addressing }),
      allow: this.o.allow(),
      caller: caller.party,
      dialed: caller.dialed,
      host: request.uri.host,
      uas,
      first: next,
      maxDurationMs: durations.length === 0 ? 0 : Math.min(...durations),
      events: (name, event) => this.callEvent(call, media, name, event),
      onUnanswered: (c, failure, handOff) => {
        // A hand-off from an auto-attendant: the services see the number it routed, and its callee.
        const who = handOff === undefined ? identity : { ...identity, dialed: handOff.dialed };
        const callee = handOff?.callee ?? c.callee;
        if (failure.redirect !== undefined)
          return followRedirect(this.planDeps, who, callee, failure.redirect, []);
        const point =
          failure.cause === "busy" ? "busy" : failure.cause === "no-answer" ? "noAnswer" : "unreachable";
        return replan(this.planDeps, who, point, { callId: c.id, callee, failure }, []);
      },
      onDigit: (c, by, digit) => this.points.tell("digit", { call: c, by, digit }),
      onRefer: this.transfers.handle,
      onSidesMoved: (c) => void this.media.get(c.id)?.close(),
      // Music on hold is anchored only where the media flows phone to phone.
      ...(media === undefined && this.o.holdMusic !== undefined ? { holdMusic: this.o.holdMusic } : {}),
      onError: (error) => this.o.logger.warn({ err: error }, "call leg error"),
    });
    this.calls.set(id, call);
    this.identities.set(call, identity);
    this.watchMedia(call, media);
    this.index.add(call);
    const fields =
      next.kind === "endpoint"
        ? { caller: caller.party.user, dialed: caller.dialed, endpoint: next.target.endpoint.peer }
        : plan.outbound
          ? {
              caller: caller.party.user,
              dialed: caller.dialed,
              number: next.set.callee.user,
              attempts: next.set.targets.length,
            }
          : { caller: caller.party.user, dialed: caller.dialed, forks: next.set.targets.length };
    this.o.logger.info({ call: id, ...fields }, plan.outbound ? "outgoing call started" : "call started");
    this.events.emit("created", { call });
    call.start();
    return call;
  }

  /**
   * Music on hold in a relayed call: the held side hears music from the relay while a holder
   * whose user has music on hold keeps it held (a call whose media flows phone to phone anchors
   * its hold in the bridge instead, src/call/hold-music.ts).
   */
  private relayedHoldMusic(call: Call, media: CallMedia, e: CallEvents["held"]): void {
    const holderIsCaller = e.by.domainId === call.caller.domainId && e.by.user === call.caller.user;
    const held = holderIsCaller ? "callee" : "caller";
    const generation = (this.holdGenerations.get(call) ?? 0) + 1;
    this.holdGenerations.set(call, generation);
    if (!e.held) {
      media.holdMusic?.(held, false);
      return;
    }
    this.o.users.lookup(e.by.domainId, e.by.user).then(
      (entry) => {
        // Still the same hold (not resumed meanwhile) and the holder wants music.
        if (this.holdGenerations.get(call) === generation && entry?.user.musicOnHold === true)
          media.holdMusic?.(held, true);
      },
      (err: unknown) => this.o.logger.warn({ err }, "music on hold: user lookup failed"),
    );
  }

  /** A call's event: the engine's bookkeeping, the detection points, then every subscriber. */
  private callEvent<K extends CallEventName>(
    call: Call,
    media: CallMedia | undefined,
    name: K,
    event: CallEvents[K],
  ): void {
    if (name === "answered") {
      media?.answered(call);
      this.points.tell("answered", { call });
    } else if (name === "held") {
      const e = event as CallEvents["held"];
      this.points.tell("held", { call, by: e.by, held: e.held });
      if (media?.holdMusic !== undefined) this.relayedHoldMusic(call, media, e);
    } else if (name === "transferred") {
      const e = event as CallEvents["transferred"];
      this.index.move(call, e.before, e.after, e.side);
      this.o.logger.info({ call: call.id, from: e.before.user, to: e.after.user }, "transfer completed");
    } else if (name === "retargeted") {
      const e = event as CallEvents["retargeted"];
      this.index.move(call, e.before, e.after, "callee");
    } else if (name === "ended") {
      this.ended(call, (event as CallEvents["ended"]).record);
    }
    this.members.observe(call, name, event);
    this.events.emit(name, event);
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
    media.onDigit?.((party, digit) =>
      this.points.tell("digit", { call, by: party === "caller" ? call.caller : call.callee, digit }),
    );
    media.onTimeout(() => {
      this.o.logger.info({ call: call.id }, "media timeout: a phone stopped sending RTP, ending the call");
      call.hangup("media-timeout");
    });
  }

  /** A transfer target: a local user with bindings and room for a call (as for a new call). */
  private async transferTarget(number: string): Promise<ResolvedTarget> {
    const found = await findCallee(this.planDeps, number);
    if (!found.ok) return { ok: false, status: found.refusal.status, reason: found.refusal.reason };
    const targets = userTargets(this.planDeps, this.index, found.value);
    if (targets.kind === "unreached")
      return { ok: false, status: targets.refusal.status, reason: targets.refusal.reason };
    return { ok: true, set: targets.set };
  }

  private ended(call: Call, record: NewCallRecord): void {
    if (this.calls.get(call.id) !== call) return;
    this.calls.delete(call.id);
    this.inboundReleases.get(call.id)?.();
    this.inboundReleases.delete(call.id);
    this.index.remove(call);
    this.points.tell("ended", { call, record });
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
      (stats) => this.record(withMediaStats(record, stats)),
      () => this.record(record),
    );
  }

  private record(record: NewCallRecord): void {
    this.o.cdrs.record(record).then(undefined, () => {});
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
    return call === undefined ? false : call.hangup("hangup-by-admin");
  }

  /** FEATURES.md section 2: talking in an answered call, ringing while called, else registration. */
  userState(domainId: number, name: string): UserState {
    let ringing = false;
    for (const [call, side] of this.index.callsOf(domainId, name)) {
      if (call.state === "answered") return "talking";
      if (side.callee && call.state === "ringing") ringing = true;
    }
    if (ringing || this.members.has(domainId, name)) return "ringing";
    return this.o.location.isOnline(domainId, name) ? "online" : "offline";
  }

  /**
   * Plays the call-waiting tone to a user in its answered call, when that call's media is relayed
   * (otherwise the media does not pass through Parley). Resolves to whether it could.
   */
  waitingTone(domainId: number, name: string): boolean {
    for (const [call, side] of this.index.callsOf(domainId, name)) {
      if (call.state !== "answered") continue;
      const media = this.media.get(call.id);
      if (media?.waitingTone === undefined) continue;
      media.waitingTone(side.callee ? "callee" : "caller");
      return true;
    }
    return false;
  }

  /** Whether a call to this user rings now (a waiting call, for a talking user). */
  isCalledNow(domainId: number, name: string): boolean {
    return this.control.ringingTo(domainId, name).length > 0;
  }

  /** Ends every call (BYE or CANCEL) at shutdown. */
  closeAll(): void {
    for (const call of [...this.calls.values()]) call.hangup("server-shutdown");
  }
}
