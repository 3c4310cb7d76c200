/**
 * One run of a service script for one call (issue 18, FEATURES.md section 6 "Service scripts"):
 * the state the Lua `call` API (call-api.ts) steers, after Asterisk's dialplan applications and
 * FreeSWITCH's Lua session object, but written as plain sequential code (the script's coroutine
 * waits while Parley works):
 *
 * - deciding: the script runs while the call waits at its detection point (or its dial plan route).
 *   `call.route`, `call.hangup` and `call.answer` decide; the script may go on running after
 *   route/hangup (to log, say), but no longer steers the call. Ending without a decision lets the
 *   call go on as it would without the script (at a detection point) or refuses it (a route target).
 * - answered: Parley answered (a media endpoint of the media server): play, say, collect, record,
 *   wait; `call.connect` hands the caller on through the dial plan (endpoint-handoff.ts).
 * - connected: the caller talks to whom `connect` reached; the script may still wait, watch the
 *   call end and hang it up (the calling card's release at zero).
 * - over: the call ended, or the script handed it on and nothing more is steerable.
 */
import type { CallControl, ControlledCall } from "../../call/call-control.js";
import type { PointContext, Verdict } from "../../call/detection-points.js";
import type { FinalStatus } from "../../call/media-endpoint.js";
import { type CallStatusCode, callStatus } from "../../core/status-catalogue.js";
import type { PlayItem } from "../../media/endpoint/endpoint-protocol.js";
import type { MediaServer, Speech } from "../../media/media-server.js";
import type { PromptLanguage } from "../../media/prompts/catalogue.js";
import type { MediaScriptContext, SipMediaEndpoint } from "../../media/sip-media-endpoint.js";
import type { NewCallRecord } from "../../store/cdr-model.js";
import { AnchoredLeg, connectAnchored } from "./anchored-connect.js";

export type ScriptCallState = "deciding" | "answered" | "connected" | "over";

/** Where a script runs: a detection point, a route target, a feature code, or a notification. */
export interface ScriptPlace {
  readonly script: string;
  /** The detection point, or "route" (a dial plan route), or "feature" (a feature code). */
  readonly point: string;
  /** A route's or feature code's argument (the number routed, the digits after the code). */
  readonly argument: string;
  /** Whether the script may steer the call (false at notification points). */
  readonly steers: boolean;
}

export interface ScriptCallDeps {
  readonly media: MediaServer;
  readonly calls: CallControl;
  /** The verdict for a number the script connects to (the services at "attempted", else the dial plan). */
  readonly verdictFor: (context: PointContext, number: string) => Promise<Verdict>;
  /** Runs when the call this script serves ends (its id known): the CDR's annotations. */
  readonly watchEnd: (callId: string, listener: (record: NewCallRecord) => void) => () => void;
}

/** A cause a script names in `call.hangup(cause)` before it answered, as a SIP refusal. */
const REFUSALS: Record<string, CallStatusCode> = {
  busy: "script-busy",
  "486": "script-busy",
  unavailable: "script-unavailable",
  "480": "script-unavailable",
  "not-found": "script-not-found",
  "404": "script-not-found",
  forbidden: "script-forbidden",
  "403": "script-forbidden",
  declined: "script-declined",
  "603": "script-declined",
  error: "script-error",
  "500": "script-error",
};

export function refusalFor(cause: unknown): CallStatusCode | undefined {
  if (cause === undefined) return "script-unavailable";
  return REFUSALS[String(cause)];
}

export const REFUSAL_CAUSES = Object.keys(REFUSALS).filter((k) => !/^\d/.test(k));

export class ScriptCall {
  state: ScriptCallState;
  /** The caller's name and number as the script set them (a caller-ID lookup). */
  readonly rename: { displayName?: string; user?: string } = {};
  /** What the CDR gets when the call ends (the calling card's number and charge). */
  readonly annotations: Record<string, unknown> = {};
  readonly abort = new AbortController();
  private decide!: (verdict: Verdict | undefined) => void;
  readonly decision: Promise<Verdict | undefined>;
  private endpoint: SipMediaEndpoint | undefined;
  private session: MediaScriptContext | undefined;
  private releaseEndpoint: () => void = () => {};
  private controlled: ControlledCall | undefined;
  private callId: string | undefined;
  private endListeners: Array<() => void> = [];
  private stopWatching: () => void = () => {};
  /** The two bridged endpoints of an anchored connect. */
  private anchored: AnchoredLeg | undefined;
  /** A hand-off is under way: the endpoint closing then is the caller moving on, not hanging up. */
  private handingOff = false;

  constructor(
    readonly context: PointContext,
    readonly place: ScriptPlace,
    private readonly deps: ScriptCallDeps,
  ) {
    this.state = place.steers ? "deciding" : "over";
    this.callId = context.callId;
    this.decision = new Promise((resolve) => {
      this.decide = resolve;
    });
    if (!place.steers) this.decide(undefined);
  }

  /** The Parley call id, once the call has one (after answer, or at a later detection point). */
  get id(): string | undefined {
    return this.callId;
  }

  /** The call goes on as a verdict says; the script no longer steers it. */
  settle(verdict: Verdict | undefined): void {
    if (this.state !== "deciding") return;
    this.state = "over";
    this.decide(verdict);
  }

  /** Refuses the unanswered call with a catalogue status. */
  refuse(code: CallStatusCode): void {
    this.settle({ kind: "refuse", code });
  }

  /**
   * Parley answers: the verdict is a media endpoint, and this resolves once the caller's ACK
   * confirmed it (true), or false when the call never got there (the caller hung up first).
   */
  async answer(): Promise<boolean> {
    if (this.state === "answered") return true;
    if (this.state !== "deciding") return false;
    const { media } = this.deps;
    const ready = new Promise<MediaScriptContext | undefined>((resolve) => {
      const peer = `parley:script;name=${this.place.script}`;
      const endpointDone = new Promise<void>((release) => {
        this.releaseEndpoint = release;
      });
      this.endpoint = media.sipEndpoint(peer, async (session) => {
        resolve(session);
        await endpointDone;
      });
      // The engine closes the endpoint when the leg is over, also when it never started.
      const endpoint = this.endpoint;
      const close = endpoint.close.bind(endpoint);
      endpoint.close = async () => {
        resolve(undefined);
        if (this.state === "answered" && !this.handingOff) this.finish();
        return close();
      };
    });
    const domainId = this.context.caller.domainId;
    this.state = "answered";
    this.decide({
      kind: "endpoint",
      target: {
        party: { domainId, user: this.context.dialed, displayName: this.place.script },
        endpoint: this.endpoint!,
      },
    });
    this.session = await ready;
    if (this.session === undefined) {
      this.finish();
      return false;
    }
    const call = this.deps.calls.callTalkingTo?.(this.endpoint!);
    if (call !== undefined) this.adopt(call);
    return true;
  }

  /** The system's prompt language now. */
  get language(): PromptLanguage {
    return this.deps.media.language;
  }

  /** What the endpoint plays for `parts`, in the system's language. */
  speak(parts: readonly Speech[]): PlayItem[] {
    return this.deps.media.speech(parts);
  }

  /** The endpoint's media while answered (play, collect...); an error otherwise. */
  media(what: string): MediaScriptContext {
    if (this.state !== "answered" || this.session === undefined || this.session.ended)
      throw new Error(`call.${what}: the call is not answered by the script (call.answer() first)`);
    return this.session;
  }

  /**
   * Hands the caller on to `number` through the dial plan, with ring-back meanwhile: 200 once
   * connected (the state is then "connected"), or why not (still answered).
   */
  async connect(number: string, note: string): Promise<FinalStatus> {
    const session = this.media("connect");
    const verdict = await this.deps.verdictFor({ ...this.context, dialed: number }, number);
    if (verdict.kind === "refuse") return callStatus(verdict.code);
    const ringing = session.endpoint.play(this.deps.media.speech([{ tone: "ringback" }]), { loop: true });
    const call = this.controlled ?? this.deps.calls.callTalkingTo?.(this.endpoint!);
    this.handingOff = true;
    const result = await this.deps.calls
      .handOff(this.endpoint!, verdict, { dialed: number, note })
      .finally(() => {
        this.handingOff = false;
        ringing.stop();
      });
    if (result.status >= 200 && result.status < 300) {
      this.state = "connected";
      if (call !== undefined) this.adopt(call);
      this.releaseEndpoint();
    } else if (session.ended) this.finish(); // the caller hung up while it rang
    return result;
  }

  /**
   * Rings `number` with the media kept in Parley (anchored-connect.ts): 200 once the callee
   * answered and the two are bridged (the state is then "connected"), or why not (still answered).
   */
  async connectAnchored(number: string): Promise<FinalStatus> {
    const session = this.media("connect");
    const call = this.controlled;
    if (call === undefined) return callStatus("no-such-call");
    const ringing = session.endpoint.play(this.deps.media.speech([{ tone: "ringback" }]), { loop: true });
    let cancel = () => {};
    const gone = () => cancel();
    this.endListeners.push(gone);
    const leg = await connectAnchored({
      media: this.deps.media,
      calls: this.deps.calls,
      endpoint: this.endpoint!,
      caller: session.endpoint,
      call,
      number,
      peer: `parley:script;name=${this.place.script}`,
      onRinging: (c) => {
        cancel = c;
      },
    }).finally(() => ringing.stop());
    this.endListeners = this.endListeners.filter((l) => l !== gone);
    if (!(leg instanceof AnchoredLeg)) return leg;
    if (this.state !== "answered") {
      leg.stop();
      return callStatus("request-terminated");
    }
    this.anchored = leg;
    this.state = "connected";
    return callStatus("ok");
  }

  /** Whether the call talks through an anchored connect now (the script can still play to the caller). */
  anchoredNow(): boolean {
    return this.state === "connected" && this.anchored !== undefined;
  }

  /** Plays to the caller while it talks through an anchored connect (a warning tone). */
  async toCaller(parts: readonly Speech[]): Promise<boolean> {
    if (this.state !== "connected" || this.anchored === undefined) return false;
    await this.anchored.toCaller(this.speak(parts));
    return true;
  }

  /** Ends the call: refused before an answer, BYE once answered or connected. */
  hangup(cause: unknown): void {
    if (this.state === "deciding") {
      const code = refusalFor(cause);
      if (code === undefined)
        throw new Error(
          `call.hangup: unknown cause '${String(cause)}' (one of ${REFUSAL_CAUSES.join(", ")})`,
        );
      this.refuse(code);
    } else if (this.state === "answered") {
      this.session?.hangup();
      this.finish();
    } else if (this.state === "connected") {
      this.controlled?.hangup(cause === "max-duration" ? "max-duration" : "hangup-by-admin");
      this.finish();
    }
  }

  /**
   * Waits `seconds` (at most a day): true when the call is still up after them, false as soon as
   * it ends (or at once when it is over already).
   */
  wait(seconds: number): Promise<boolean> {
    if (this.state === "deciding") throw new Error("call.wait: answer or connect the call first");
    // Once connected, the endpoint's session is over (the caller left it): the call is what counts.
    const ended = this.state === "answered" ? this.session?.ended === true : false;
    if (this.state === "over" || ended) return Promise.resolve(false);
    const ms = Math.max(0, Math.min(86_400, seconds)) * 1000;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.endListeners = this.endListeners.filter((l) => l !== ended);
        resolve(this.state !== "over");
      }, ms);
      const ended = () => {
        clearTimeout(timer);
        resolve(false);
      };
      this.endListeners.push(ended);
    });
  }

  /** The script ended (or failed): what is still open is closed. */
  finish(): void {
    if (this.state === "deciding") return;
    const was = this.state;
    this.state = "over";
    // Anchored, the talk goes on through the script's endpoints until a phone hangs up (adopt()).
    if (was === "connected" && this.anchored !== undefined) {
      for (const l of this.endListeners.splice(0)) l();
      this.abort.abort(new Error("the script ended"));
      return;
    }
    this.releaseEndpoint();
    if (was === "answered" && this.session !== undefined && !this.session.ended) this.session.hangup();
    for (const l of this.endListeners.splice(0)) l();
    this.stopWatching();
    // Whatever the script still waits for is moot: its call is gone.
    this.abort.abort(new Error("the call ended"));
  }

  /** The bridged call this script watches (its end, its CDR). */
  private adopt(call: ControlledCall): void {
    this.controlled = call;
    if (this.callId === call.id) return;
    this.callId = call.id;
    this.stopWatching();
    this.stopWatching = this.deps.watchEnd(call.id, (record) => {
      // The CDR shows what the script noted (the calling card: its number and the charge).
      Object.assign(record, this.annotations);
      if (this.state !== "over") {
        this.state = "over";
        this.releaseEndpoint();
      }
      this.anchored?.stop();
      this.releaseEndpoint();
      for (const l of this.endListeners.splice(0)) l();
      this.abort.abort(new Error("the call ended"));
    });
  }
}
