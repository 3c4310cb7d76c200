/**
 * What a media worker does with the media endpoint requests (endpoint-protocol.ts): opens
 * endpoints on ports of the worker's pool (or on a relayed call's side), starts and stops their
 * operations, resolves play lists through the audio cache, keeps the conference rooms, and drives
 * every endpoint and room from the one 20 ms clock (hear all, mix the rooms, then speak all, so a
 * bridge or a room hands on the audio of the same tick).
 */
import { FRAME_SAMPLES } from "../dsp/g711.js";
import { TONE_PLANS, ToneGenerator, type ToneName, type TonePlanName } from "../dsp/tones.js";
import { ConferenceRoom, type MixParticipant } from "../mixer/conference-mixer.js";
import type { PortPool } from "../port-pool.js";
import type { MediaErrorCode, MediaReply } from "../protocol.js";
import type { RelaySide } from "../relay-session.js";
import type { DtlsCertificate } from "../webrtc/webrtc-transport.js";
import { AudioCache } from "./audio-cache.js";
import { Endpoint } from "./endpoint.js";
import type { EndpointEvent, EndpointOp, EndpointRequest, PlayItem } from "./endpoint-protocol.js";
import { DigitCollector, Recorder } from "./input-operations.js";
import { MediaClock, PHASES } from "./media-clock.js";
import { MixSource, PlaySource, RepeatSource, type ResolvedItem } from "./output-sources.js";
import { RelaySideTransport, SocketTransport } from "./rtp-transport.js";

const FRAME_MS = 20;
/** A participant quiet this many ticks (500 ms) has stopped talking (a pause between words is shorter). */
export const TALK_HANGOVER_TICKS = 25;

/** Whether a participant talks, as last reported, and how long it has been quiet. */
interface TalkState {
  readonly participant: MixParticipant;
  on: boolean;
  quiet: number;
}

export interface EndpointCoreDeps {
  readonly ports: PortPool;
  /** A relayed call's side in this worker, to attach an endpoint to. */
  readonly relaySide: (session: string, side: "a" | "b") => RelaySide | undefined;
  readonly emit: (event: EndpointEvent) => void;
  readonly tonePlan?: TonePlanName;
  /** The worker's DTLS certificate, for a browser calling an endpoint (issue 20). */
  readonly certificate?: DtlsCertificate | undefined;
}

export class EndpointWorkerCore {
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly rooms = new Map<string, ConferenceRoom>();
  /** The endpoints of each phase of the clock (each keeps its phase for life). */
  private readonly phases: Array<Set<Endpoint>> = Array.from({ length: PHASES }, () => new Set());
  private readonly phaseOf = new Map<Endpoint, number>();
  /** The phase each room mixes in: its first participant's. */
  private readonly roomPhase = new Map<ConferenceRoom, number>();
  /** The join or leave tone each room is playing to everyone in it. */
  private readonly roomTones = new Map<ConferenceRoom, ToneGenerator>();
  /** Each room's participants' talking state, by endpoint id (reported as "talking" events). */
  private readonly roomTalk = new Map<ConferenceRoom, Map<string, TalkState>>();
  private readonly toneFrame = new Int16Array(FRAME_SAMPLES);
  private readonly clock = new MediaClock({ tick: (phase, skipped) => this.tick(phase, skipped) });
  readonly cache = new AudioCache();
  private tonePlan: TonePlanName;

  constructor(private readonly deps: EndpointCoreDeps) {
    this.tonePlan = deps.tonePlan ?? "us";
  }

  get size(): number {
    return this.endpoints.size;
  }

  /** The clock's lateness figures (for the bench and the status page). */
  get lateness(): Float64Array {
    return this.clock.lateness;
  }

  async handle(request: EndpointRequest): Promise<MediaReply> {
    const id = request.id;
    const ok: MediaReply = { type: "reply", id, ok: true };
    const fail = (code: MediaErrorCode, error: string): MediaReply => ({
      type: "reply",
      id,
      ok: false,
      code,
      error,
    });
    switch (request.type) {
      case "media.settings":
        if (!(request.tonePlan in TONE_PLANS))
          return fail("bad_request", `unknown tone plan ${request.tonePlan}`);
        this.tonePlan = request.tonePlan;
        return ok;
      case "media.forget":
        this.cache.forget(request.file);
        return ok;
      case "endpoint.open":
        return this.open(request.endpoint, request.attach, id, fail);
      default:
        break;
    }
    const endpoint = this.endpoints.get(request.endpoint);
    if (endpoint === undefined) {
      if (request.type === "endpoint.close") return ok; // idempotent
      return fail("no_session", `no endpoint ${request.endpoint}`);
    }
    switch (request.type) {
      case "endpoint.remote":
        endpoint.setRemote(request.remote);
        return ok;
      case "endpoint.start": {
        const error = await this.start(endpoint, request.op, request.operation);
        return error === undefined ? ok : fail("bad_request", error);
      }
      case "endpoint.stop":
        endpoint.stop(request.op);
        return ok;
      case "endpoint.digit":
        endpoint.digit(request.digit, "info", request.durationMs);
        return ok;
      case "endpoint.participant": {
        const room = [...this.rooms.values()].find((r) => r.has(endpoint.id));
        if (room === undefined) return fail("bad_request", "the endpoint is in no conference");
        room.update(endpoint.id, request.muted, request.volumeDb);
        return ok;
      }
      case "endpoint.close": {
        const stats = endpoint.close();
        this.endpoints.delete(endpoint.id);
        const phase = this.phaseOf.get(endpoint);
        if (phase !== undefined) this.phases[phase].delete(endpoint);
        this.phaseOf.delete(endpoint);
        if (this.endpoints.size === 0) this.clock.stop();
        // A recording ended by the hang-up reports (saved, its length) before the close does.
        await endpoint.settled();
        return { type: "reply", id, ok: true, endpointStats: stats };
      }
    }
  }

  private async open(
    name: string,
    attach: { session: string; side: "a" | "b" } | undefined,
    id: number,
    fail: (code: MediaErrorCode, error: string) => MediaReply,
  ): Promise<MediaReply> {
    if (this.endpoints.has(name)) return fail("exists", `endpoint ${name} exists`);
    const endpoint = new Endpoint(name, this.deps.emit);
    if (attach !== undefined) {
      const side = this.deps.relaySide(attach.session, attach.side);
      if (side === undefined) return fail("no_session", `no relay session ${attach.session} in this worker`);
      if (side.tap !== undefined) return fail("exists", `relay side ${attach.side} already has an endpoint`);
      endpoint.transport = new RelaySideTransport(side, endpoint.receive);
    } else {
      const pair = await this.deps.ports.take();
      if (pair === undefined)
        return fail(
          "no_port",
          `no free RTP port pair in ${this.deps.ports.minPort}-${this.deps.ports.maxPort}`,
        );
      const { ports } = this.deps;
      endpoint.transport = new SocketTransport(
        pair,
        endpoint.receive,
        (p) => ports.give(p),
        ports.specificAddress,
        this.deps.certificate,
      );
    }
    this.endpoints.set(name, endpoint);
    // The least busy phase: the worker's sends spread evenly over the 20 ms.
    let phase = 0;
    for (let p = 1; p < PHASES; p++) if (this.phases[p].size < this.phases[phase].size) phase = p;
    this.phases[phase].add(endpoint);
    this.phaseOf.set(endpoint, phase);
    this.clock.run();
    return { type: "reply", id, ok: true, endpointPort: endpoint.transport.port };
  }

  /** Starts an operation; a request that cannot start at all is an error (the op gets no event). */
  private async start(endpoint: Endpoint, op: number, operation: EndpointOp): Promise<string | undefined> {
    switch (operation.kind) {
      case "play": {
        const { items, warnings } = await this.resolve(operation.items);
        if (endpoint.closed) {
          this.deps.emit({ type: "op", endpoint: endpoint.id, op, reason: "hangup" });
          return undefined;
        }
        if (items.length === 0) {
          this.deps.emit({
            type: "op",
            endpoint: endpoint.id,
            op,
            reason: "failed",
            error: warnings.join("; "),
            warnings,
          });
          return undefined;
        }
        for (const message of warnings)
          this.deps.emit({ type: "endpoint.warning", endpoint: endpoint.id, message });
        endpoint.startOutput(
          op,
          new PlaySource(items, operation.loop === true),
          operation.interruptDigits ?? "",
        );
        return undefined;
      }
      case "record":
        if (!(operation.maxMs > 0)) return "record.maxMs must be above 0";
        endpoint.startRecording(op, new Recorder(operation));
        return undefined;
      case "collect":
        if (!(operation.max > 0)) return "collect.max must be above 0";
        endpoint.startCollection(
          op,
          (typed) => new DigitCollector(operation, typed),
          operation.typeAhead !== false,
        );
        return undefined;
      case "echo":
        endpoint.startOutput(op, new RepeatSource(endpoint));
        return undefined;
      case "bridge": {
        const peer = this.endpoints.get(operation.peer);
        if (peer === undefined) return `no endpoint ${operation.peer} in this worker`;
        endpoint.startOutput(op, new RepeatSource(peer));
        return undefined;
      }
      case "conference":
        return this.join(endpoint, op, operation);
    }
  }

  private join(
    endpoint: Endpoint,
    op: number,
    operation: Extract<EndpointOp, { kind: "conference" }>,
  ): undefined {
    let room = this.rooms.get(operation.room);
    if (room === undefined) {
      room = new ConferenceRoom(operation.room);
      this.rooms.set(operation.room, room);
      this.roomPhase.set(room, this.phaseOf.get(endpoint) ?? 0);
    }
    const mix = new MixSource();
    const joined = room;
    const participant = joined.join(endpoint.id, endpoint.codec, mix.deliver);
    participant.muted = operation.muted === true;
    if (operation.volumeDb !== undefined) joined.update(endpoint.id, undefined, operation.volumeDb);
    endpoint.onHeard = (payload) => joined.input(endpoint.id, payload);
    const talk = this.roomTalk.get(joined) ?? new Map<string, TalkState>();
    this.roomTalk.set(joined, talk);
    talk.set(endpoint.id, { participant, on: false, quiet: 0 });
    const tones = operation.tones !== false;
    if (tones) this.roomTone(joined, "join");
    endpoint.startOutput(op, mix, "", () => {
      endpoint.onHeard = undefined;
      joined.leave(endpoint.id);
      talk.delete(endpoint.id);
      if (joined.size === 0) {
        this.roomTalk.delete(joined);
        this.rooms.delete(operation.room);
        this.roomTones.delete(joined);
        this.roomPhase.delete(joined);
      } else if (tones) this.roomTone(joined, "leave");
    });
    return undefined;
  }

  /** Everyone in the room hears that someone joined or left. */
  private roomTone(room: ConferenceRoom, tone: ToneName): void {
    const spec = TONE_PLANS[this.tonePlan][tone];
    if (spec !== undefined) this.roomTones.set(room, new ToneGenerator(spec));
  }

  private async resolve(list: readonly PlayItem[]): Promise<{ items: ResolvedItem[]; warnings: string[] }> {
    const items: ResolvedItem[] = [];
    const warnings: string[] = [];
    for (const item of list) {
      if ("file" in item) {
        const loaded = await this.cache.get(item.file);
        if (loaded.ok) items.push({ kind: "clip", clip: loaded.clip });
        else warnings.push(loaded.error);
      } else if ("tone" in item) {
        const spec = TONE_PLANS[this.tonePlan][item.tone];
        if (spec === undefined) warnings.push(`unknown tone ${item.tone}`);
        else items.push({ kind: "tone", spec, frames: Math.ceil((item.ms ?? 0) / FRAME_MS) });
      } else items.push({ kind: "silence", frames: Math.max(1, Math.ceil(item.silenceMs / FRAME_MS)) });
    }
    return { items, warnings };
  }

  /**
   * One slot of the clock: the phase's endpoints hear, the rooms of the phase mix, the endpoints
   * speak. A room mixes once a period whatever its participants' phases: each hears once between
   * two mixes and speaks the mix before the next (MixSource keeps it until then).
   */
  private tick(phase: number, skipped: number): void {
    const group = this.phases[phase];
    for (const e of group) e.hear();
    for (const [room, tone] of this.roomTones) {
      if (this.roomPhase.get(room) !== phase) continue;
      if (tone.fill(this.toneFrame)) room.announce(this.toneFrame);
      else this.roomTones.delete(room);
    }
    for (const room of this.rooms.values())
      if (this.roomPhase.get(room) === phase) {
        room.tick();
        this.reportTalkers(room);
      }
    for (const e of group) e.speak(skipped);
  }

  /** Reports who started talking this tick, and who has been quiet for the hangover. */
  private reportTalkers(room: ConferenceRoom): void {
    const talk = this.roomTalk.get(room);
    if (talk === undefined) return;
    for (const [endpoint, state] of talk) {
      if (state.participant.talking) {
        state.quiet = 0;
        if (state.on) continue;
        state.on = true;
      } else {
        state.quiet++;
        if (!state.on || state.quiet < TALK_HANGOVER_TICKS) continue;
        state.on = false;
      }
      this.deps.emit({ type: "talking", endpoint, talking: state.on });
    }
  }

  close(): void {
    this.clock.stop();
    for (const e of this.endpoints.values()) e.close();
    this.endpoints.clear();
    for (const group of this.phases) group.clear();
    this.phaseOf.clear();
    this.rooms.clear();
    this.roomTalk.clear();
  }
}
