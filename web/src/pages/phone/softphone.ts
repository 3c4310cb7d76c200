/**
 * The web phone's SIP user agent: JsSIP over SIP over WebSocket (RFC 7118) to Parley, registering
 * as the signed-in user, with calls as JsSIP RTCSessions. It keeps one immutable snapshot of the
 * phone (connection, registration, calls, the last problem) that the page renders through
 * useSyncExternalStore, and the calls' remote audio streams.
 *
 * JsSIP rather than SIP.js: its session object has hold, mute, RFC 4733 DTMF and REFER with
 * Replaces (attended transfer) built in, and its UA reconnects and re-registers by itself after a
 * lost WebSocket; SIP.js 0.21 leaves transfer and reconnection to the application.
 */
import { C, UA, WebSocketInterface } from "jssip";
import type { EndEvent, RTCSession } from "jssip/lib/RTCSession";
import type { DisconnectEvent, RTCSessionEvent, UnRegisteredEvent } from "jssip/lib/UA";
import { MicrophoneError, type MicrophoneProblem, openMicrophone, Ringer, stopStream } from "./phone-media";

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "stopped";
export type RegistrationState = "registering" | "registered" | "refused" | "unregistered";
export type CallState = "incoming" | "calling" | "ringing" | "active" | "ended";

export interface CallInfo {
  readonly id: string;
  readonly direction: "incoming" | "outgoing";
  readonly peer: string;
  readonly peerName: string;
  readonly state: CallState;
  readonly held: boolean;
  readonly muted: boolean;
  /** Date.now() at the answer. */
  readonly answeredAt?: number;
  /** Why it ended (JsSIP's cause: "Busy", "Rejected", "Canceled", ...). */
  readonly cause?: string;
  /** The call this one consults for (the first leg of an attended transfer). */
  readonly consultFor?: string;
}

export type PhoneProblem =
  | { readonly kind: MicrophoneProblem; readonly name: string }
  | { readonly kind: "refused"; readonly status: number }
  | { readonly kind: "network" }
  /** The WebSocket never opened: no SIP over WebSocket at this address. */
  | { readonly kind: "noWebSocket"; readonly url: string }
  | { readonly kind: "callFailed"; readonly cause: string }
  | { readonly kind: "transferFailed" };

export interface PhoneSnapshot {
  readonly connection: ConnectionState;
  readonly registration: RegistrationState;
  /** Calls not yet ended, oldest first. */
  readonly calls: readonly CallInfo[];
  readonly problem?: PhoneProblem;
  /** The last call that ended, for the page's "Ended" line and the tests. */
  readonly lastEnded?: CallInfo;
}

export interface SoftphoneOptions {
  readonly user: string;
  readonly password: string;
  readonly displayName: string;
  readonly sipHost: string;
  readonly wsUrl: string;
  /** Shows an incoming call (notification); returns its closer. */
  readonly onIncoming?: (call: CallInfo) => (() => void) | undefined;
}

interface Entry {
  readonly session: RTCSession;
  info: CallInfo;
  readonly remote: MediaStream;
  local?: MediaStream;
  closeNotice?: () => void;
}

/** Browsers gather host candidates only: Parley is ICE-lite and reachable directly (no STUN/TURN). */
const PC_CONFIG: RTCConfiguration = { iceServers: [] };

export class Softphone {
  private readonly ua: UA;
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<() => void>();
  private readonly ringer = new Ringer();
  private snap: PhoneSnapshot = { connection: "connecting", registration: "unregistered", calls: [] };
  private everConnected = false;
  private pendingOutgoing: { local: MediaStream; consultFor?: string } | undefined;
  private audio: HTMLAudioElement | undefined;
  /** The remote audio of the call heard now (for tests: an analyser can be attached to it). */
  remoteStream: MediaStream | undefined;

  constructor(private readonly o: SoftphoneOptions) {
    this.ua = new UA({
      sockets: [new WebSocketInterface(o.wsUrl)],
      uri: `sip:${o.user}@${o.sipHost}`,
      password: o.password,
      display_name: o.displayName,
      register: true,
      // A lost WebSocket is retried after 2 s, backing off to 30 s; the UA re-registers on connect.
      connection_recovery_min_interval: 2,
      connection_recovery_max_interval: 30,
      user_agent: "Parley web phone (JsSIP 3.13.8)",
    });
    this.ua.on("connecting", () =>
      this.set({ connection: this.everConnected ? "reconnecting" : "connecting" }),
    );
    this.ua.on("connected", () => {
      this.everConnected = true;
      this.set({
        connection: "connected",
        registration: "registering",
        problem: this.withoutNetworkProblem(),
      });
    });
    this.ua.on("disconnected", (e: DisconnectEvent) => this.onDisconnected(e));
    this.ua.on("registered", () => this.set({ registration: "registered" }));
    this.ua.on("unregistered", () => this.set({ registration: "unregistered" }));
    this.ua.on("registrationFailed", (e: UnRegisteredEvent) => this.onRegistrationFailed(e));
    this.ua.on("newRTCSession", (e: RTCSessionEvent) => this.onNewSession(e));
  }

  start(): void {
    this.ua.start();
  }

  /** Hangs up, unregisters and closes the WebSocket. */
  stop(): void {
    for (const entry of this.entries.values()) if (!entry.session.isEnded()) entry.session.terminate();
    this.ringer.stop();
    this.ua.stop();
    this.set({ connection: "stopped", registration: "unregistered" });
  }

  attachAudio(audio: HTMLAudioElement | undefined): void {
    this.audio = audio;
    this.updateAudio();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  snapshot = (): PhoneSnapshot => this.snap;

  clearProblem(): void {
    this.set({ problem: undefined });
  }

  /** Calls `target` (digits or a SIP URI); with `consultFor`, as the second leg of an attended transfer. */
  async call(target: string, consultFor?: string): Promise<void> {
    const local = await this.microphone();
    if (local === undefined) return;
    this.pendingOutgoing = { local, ...(consultFor === undefined ? {} : { consultFor }) };
    try {
      this.ua.call(target, { mediaStream: local, pcConfig: PC_CONFIG });
    } catch (error) {
      stopStream(local);
      this.set({ problem: { kind: "callFailed", cause: (error as Error).message } });
    } finally {
      this.pendingOutgoing = undefined;
    }
  }

  async answer(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (entry === undefined || entry.info.state !== "incoming") return;
    // Taking a second call holds the first (call waiting).
    for (const other of this.entries.values())
      if (other !== entry && other.info.state === "active" && !other.info.held) other.session.hold();
    const local = await this.microphone();
    if (local === undefined) {
      entry.session.terminate({ status_code: 480, reason_phrase: "No Microphone" });
      return;
    }
    entry.local = local;
    entry.session.answer({ mediaStream: local, pcConfig: PC_CONFIG });
  }

  /** Declines a ringing call (486 Busy Here, RFC 3261 21.4.24) or hangs up any other. */
  hangup(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined || entry.session.isEnded()) return;
    if (entry.info.state === "incoming")
      entry.session.terminate({ status_code: 486, reason_phrase: "Busy Here" });
    else entry.session.terminate();
  }

  hold(id: string, on: boolean): void {
    const session = this.entries.get(id)?.session;
    if (session === undefined || !session.isEstablished()) return;
    if (on) session.hold();
    else session.unhold();
  }

  mute(id: string, on: boolean): void {
    const session = this.entries.get(id)?.session;
    if (session === undefined) return;
    if (on) session.mute({ audio: true });
    else session.unmute({ audio: true });
  }

  /** A keypad digit in a call, as an RFC 4733 telephone-event in the RTP stream (not SIP INFO). */
  dtmf(id: string, tone: string): void {
    const session = this.entries.get(id)?.session;
    if (session === undefined || !session.isEstablished()) return;
    session.sendDTMF(tone, { transportType: C.DTMF_TRANSPORT.RFC2833, duration: 160, interToneGap: 80 });
  }

  /** Blind transfer: REFER the call's party to `target` (RFC 3515); our leg ends once it is accepted. */
  blindTransfer(id: string, target: string): void {
    const session = this.entries.get(id)?.session;
    if (session === undefined || !session.isEstablished()) return;
    session.refer(target, { eventHandlers: this.referHandlers(session) });
  }

  /**
   * Attended transfer: the consultation call `consultId` was placed for the (held) call it consults
   * for; REFER that call's party to the consulted one with Replaces naming the consultation's
   * dialog (RFC 5589 section 7), so the two are joined and both our legs end.
   */
  completeTransfer(consultId: string): void {
    const consult = this.entries.get(consultId);
    const original =
      consult?.info.consultFor === undefined ? undefined : this.entries.get(consult.info.consultFor);
    if (consult === undefined || original === undefined) return;
    original.session.refer(consult.session.remote_identity.uri, {
      replaces: consult.session,
      eventHandlers: this.referHandlers(original.session, consult.session),
    });
  }

  private referHandlers(session: RTCSession, alsoEnd?: RTCSession) {
    const end = () => {
      for (const s of [session, alsoEnd]) if (s !== undefined && !s.isEnded()) s.terminate();
    };
    return {
      // RFC 3515 2.4.5: the NOTIFY with a 2xx sipfrag reports the transfer target answered.
      accepted: end,
      failed: () => this.set({ problem: { kind: "transferFailed" } }),
      requestFailed: () => this.set({ problem: { kind: "transferFailed" } }),
    };
  }

  private async microphone(): Promise<MediaStream | undefined> {
    try {
      return await openMicrophone();
    } catch (error) {
      if (error instanceof MicrophoneError)
        this.set({ problem: { kind: error.problem, name: error.domName } });
      else this.set({ problem: { kind: "micOther", name: String(error) } });
      return undefined;
    }
  }

  private onDisconnected(e: DisconnectEvent): void {
    const wasConnected = this.snap.connection === "connected";
    this.set({
      connection: this.everConnected ? "reconnecting" : "connecting",
      registration: this.snap.registration === "refused" ? "refused" : "unregistered",
      ...(wasConnected
        ? { problem: { kind: "network" } as const }
        : this.everConnected || !e.error
          ? {}
          : { problem: { kind: "noWebSocket", url: this.o.wsUrl } as const }),
    });
  }

  private onRegistrationFailed(e: UnRegisteredEvent): void {
    const status = e.response?.status_code ?? 0;
    // A lost connection fails the REGISTER too: that is the network's problem, reported apart.
    if (e.cause === C.causes.CONNECTION_ERROR || e.cause === C.causes.REQUEST_TIMEOUT) {
      this.set({ registration: "unregistered" });
      return;
    }
    this.set({ registration: "refused", problem: { kind: "refused", status } });
  }

  private withoutNetworkProblem(): PhoneProblem | undefined {
    const kind = this.snap.problem?.kind;
    return kind === "network" || kind === "noWebSocket" ? undefined : this.snap.problem;
  }

  private onNewSession({ session, originator }: RTCSessionEvent): void {
    const incoming = originator === "remote";
    const pending = incoming ? undefined : this.pendingOutgoing;
    const remote = session.remote_identity;
    const entry: Entry = {
      session,
      remote: new MediaStream(),
      ...(pending === undefined ? {} : { local: pending.local }),
      info: {
        id: session.id,
        direction: incoming ? "incoming" : "outgoing",
        peer: remote.uri.user ?? remote.uri.toString(),
        peerName: remote.display_name ?? "",
        state: incoming ? "incoming" : "calling",
        held: false,
        muted: false,
        ...(pending?.consultFor === undefined ? {} : { consultFor: pending.consultFor }),
      },
    };
    this.entries.set(session.id, entry);
    const attached = new WeakSet<RTCPeerConnection>();
    // session.connection is null until an incoming call is answered.
    const attach = (pc: RTCPeerConnection | null | undefined) => {
      if (!pc || attached.has(pc)) return;
      attached.add(pc);
      pc.addEventListener("track", (ev) => {
        entry.remote.addTrack(ev.track);
        this.updateAudio();
      });
    };
    attach(session.connection);
    session.on("peerconnection", (e) => attach(e.peerconnection));
    session.on("progress", () => {
      if (!incoming) this.update(entry, { state: "ringing" });
    });
    session.on("accepted", () => this.update(entry, { state: "active", answeredAt: Date.now() }));
    session.on("confirmed", () => {
      // Tracks already negotiated before the listener (an answer with early media) join too.
      for (const receiver of session.connection?.getReceivers() ?? [])
        if (!entry.remote.getTracks().includes(receiver.track)) entry.remote.addTrack(receiver.track);
      if (entry.info.state !== "active") this.update(entry, { state: "active", answeredAt: Date.now() });
    });
    session.on("hold", (e) => {
      if (e.originator === "local") this.update(entry, { held: true });
    });
    session.on("unhold", (e) => {
      if (e.originator === "local") this.update(entry, { held: false });
    });
    session.on("muted", () => this.update(entry, { muted: true }));
    session.on("unmuted", () => this.update(entry, { muted: false }));
    session.on("ended", (e: EndEvent) => this.onEnded(entry, e.cause, false));
    session.on("failed", (e: EndEvent) => this.onEnded(entry, e.cause, true));
    if (incoming) {
      this.ringer.start();
      entry.closeNotice = this.o.onIncoming?.(entry.info);
    }
    this.publish();
  }

  private onEnded(entry: Entry, cause: string, failed: boolean): void {
    if (!this.entries.delete(entry.info.id)) return;
    stopStream(entry.local);
    entry.closeNotice?.();
    entry.info = { ...entry.info, state: "ended", cause };
    // A failure the user did not cause is worth a line (busy, unavailable, not found...).
    const quiet: string[] = [C.causes.CANCELED, C.causes.BYE, C.causes.REJECTED];
    const problem =
      failed && entry.info.direction === "outgoing" && !quiet.includes(cause)
        ? ({ kind: "callFailed", cause } as const)
        : this.snap.problem;
    this.set({ lastEnded: entry.info, problem });
  }

  private update(entry: Entry, change: Partial<CallInfo>): void {
    entry.info = { ...entry.info, ...change };
    this.publish();
  }

  private set(change: Partial<PhoneSnapshot>): void {
    this.snap = { ...this.snap, ...change };
    this.publish();
  }

  private publish(): void {
    const calls = [...this.entries.values()].map((e) => e.info);
    this.snap = { ...this.snap, calls };
    if (!calls.some((c) => c.state === "incoming")) this.ringer.stop();
    this.updateAudio();
    for (const listener of this.listeners) listener();
  }

  /** The audio element plays the answered call that is not on hold (the newest one). */
  private updateAudio(): void {
    const heard = [...this.entries.values()].reverse().find((e) => e.info.state === "active" && !e.info.held);
    this.remoteStream = heard?.remote;
    if (this.audio !== undefined && this.audio.srcObject !== (this.remoteStream ?? null)) {
      this.audio.srcObject = this.remoteStream ?? null;
      if (this.remoteStream !== undefined) void this.audio.play().catch(() => {});
    }
  }
}
