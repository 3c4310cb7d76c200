/**
 * A media endpoint in a worker: Parley as one party of a call. Each tick of the worker's clock it
 * first hears (the next frame from its jitter buffer, decoded once, handed to the in-band digit
 * detector, a recording, a conference) and then speaks (one frame of its output source, encoded
 * in the agreed G.711 law, on its continuous RTP stream). Digits from RFC 4733 packets, SIP INFO
 * and in-band tones arrive on one stream and drive the operations: an interruptible prompt stops,
 * a collection gathers, a recording ends on its end digit.
 */

import { InbandDtmfDetector } from "../dsp/dtmf-detector.js";
import { codecOfPayloadType, decodeInto, FRAME_SAMPLES, type G711Codec, PAYLOAD_TYPE } from "../dsp/g711.js";
import { JitterBuffer } from "../mixer/jitter-buffer.js";
import { emptyHeader, isRtcpPacket, readRtpHeader } from "../rtp/rtp-packet.js";
import { RtpSender } from "../rtp/rtp-sender.js";
import { TelephoneEventReceiver } from "../rtp/telephone-event.js";
import type {
  DigitSource,
  EndpointEvent,
  EndpointRemote,
  EndpointStats,
  OpResult,
} from "./endpoint-protocol.js";
import type { DigitCollector, Recorder } from "./input-operations.js";
import type { Listener, OutputSource } from "./output-sources.js";
import type { RtpTransport } from "./rtp-transport.js";

/** Digits pressed while nothing collects, kept for the next collection (type-ahead). */
const TYPE_AHEAD_MAX = 32;
/** The same key from two out-of-band forms this close together is one press sent twice. */
const CROSS_SOURCE_MS = 300;

interface Running<T> {
  readonly op: number;
  readonly run: T;
}

export class Endpoint implements Listener {
  private remote: EndpointRemote | undefined;
  private readonly sender = new RtpSender();
  private readonly header = emptyHeader();
  private readonly jitter = new JitterBuffer();
  private readonly events: TelephoneEventReceiver;
  private readonly inband: InbandDtmfDetector;
  /** The phone signals digits out of band: its audio is not searched for tones too. */
  private inbandEnabled = true;
  /** The law of the packets now arriving (a phone may send either law it offered). */
  private heardCodec: G711Codec = "PCMU";
  private readonly inFrame = new Int16Array(FRAME_SAMPLES);
  private hasIn = false;
  /** This tick's received payload as it arrived (for a conference in the same law). */
  lastPayload: Uint8Array | undefined;
  private readonly scratch = new Int16Array(FRAME_SAMPLES);
  private readonly outBytes = new Uint8Array(FRAME_SAMPLES);
  private output: (Running<OutputSource> & { interrupt: string; ended?: () => void }) | undefined;
  private recorder: Running<Recorder> | undefined;
  /** The last recording's file write and end report (see settled()). */
  private writing: Promise<void> | undefined;
  private collector: Running<DigitCollector> | undefined;
  private typeAhead = "";
  private lastDigit = { digit: "", source: "inband" as DigitSource, at: -Infinity };
  /** Audio time of this endpoint, ms (ticks * 20). */
  private clockMs = 0;
  /** Called with this tick's heard audio (a conference room's input). */
  onHeard: ((payload: Uint8Array | undefined) => void) | undefined;
  closed = false;
  private readonly counters = { packetsIn: 0, unexpectedPayload: 0, malformed: 0, digits: 0 };
  transport!: RtpTransport;

  constructor(
    readonly id: string,
    private readonly emit: (event: EndpointEvent) => void,
  ) {
    this.events = new TelephoneEventReceiver((digit, durationMs, volume) =>
      this.digit(digit, "rfc4733", durationMs, volume),
    );
    this.inband = new InbandDtmfDetector((digit, durationMs) => this.digit(digit, "inband", durationMs));
  }

  get codec(): G711Codec {
    return this.remote?.codec ?? "PCMU";
  }

  setRemote(remote: EndpointRemote): void {
    this.remote = remote;
    this.transport.setRemote(remote);
  }

  /** A datagram from the phone (RFC 3550 5.1; RFC 4733 for telephone-event). */
  readonly receive = (packet: Buffer): void => {
    if (this.closed) return;
    const h = this.header;
    if (isRtcpPacket(packet, packet.length)) return;
    if (!readRtpHeader(packet, packet.length, h)) {
      this.counters.malformed++;
      return;
    }
    this.counters.packetsIn++;
    const te = this.remote?.telephoneEvent;
    if (te !== undefined && h.payloadType === te) {
      this.inbandEnabled = false;
      this.events.receive(packet, h.payloadOffset, h.payloadLength, h.timestamp, h.marker, this.clockMs);
      return;
    }
    const codec = codecOfPayloadType(h.payloadType);
    if (codec === undefined) {
      // RFC 3550 5.1: a payload type the session did not agree is ignored (and counted).
      this.counters.unexpectedPayload++;
      return;
    }
    this.heardCodec = codec;
    this.jitter.put(h.sequence, h.timestamp, packet, h.payloadOffset, h.payloadLength, h.marker);
  };

  /** Tick, first half: what the phone said in this 20 ms. */
  hear(): void {
    this.clockMs += 20;
    this.events.tick(this.clockMs);
    const payload = this.jitter.take();
    this.lastPayload = payload;
    this.hasIn = payload !== undefined;
    if (payload !== undefined) {
      decodeInto(this.heardCodec, payload, 0, FRAME_SAMPLES, this.inFrame);
      if (this.inbandEnabled) this.inband.push(this.inFrame);
    }
    this.onHeard?.(payload !== undefined && this.heardCodec === this.codec ? payload : undefined);
    if (this.recorder !== undefined) {
      const end = this.recorder.run.push(this.hasIn ? this.inFrame : undefined);
      if (end !== undefined) this.endRecording("completed");
    }
    if (this.collector !== undefined) {
      const result = this.collector.run.tick();
      if (result !== undefined) this.endCollection(result);
    }
  }

  heard(): Int16Array | undefined {
    return this.hasIn ? this.inFrame : undefined;
  }

  /** Tick, second half: this endpoint's frame, if it has one to send. */
  speak(skipped: number): void {
    if (skipped > 0) this.sender.skip(skipped);
    const output = this.output;
    let payload: Uint8Array | undefined;
    if (output !== undefined) {
      const next = output.run.next(this.codec, this.scratch, this.outBytes);
      if (next === null) this.endOutput({ reason: "completed" });
      else payload = next;
    }
    if (payload === undefined || this.remote?.send === false || this.closed) {
      this.sender.skip();
      return;
    }
    this.transport.send(this.sender.packet(PAYLOAD_TYPE[this.codec], payload));
  }

  /** Starts an output operation; the one playing before ends as stopped. */
  startOutput(op: number, source: OutputSource, interrupt = "", ended?: () => void): void {
    if (this.output !== undefined) this.endOutput({ reason: "stopped" });
    this.output = { op, run: source, interrupt, ended };
  }

  startRecording(op: number, recorder: Recorder): void {
    if (this.recorder !== undefined) this.endRecording("stopped");
    this.recorder = { op, run: recorder };
  }

  startCollection(op: number, collector: (typed: string) => DigitCollector, typeAhead: boolean): void {
    if (this.collector !== undefined) this.endCollection(this.collector.run.partial("stopped"));
    const run = collector(typeAhead ? this.typeAhead : "");
    // Digits typed past this collection's end wait for the next one (a mailbox, then its PIN).
    this.typeAhead = typeAhead ? run.leftover : "";
    this.collector = { op, run };
    if (run.result !== undefined) this.endCollection(run.result);
  }

  /** Stops the operation `op` if it is running (it ends as stopped); false when it is not. */
  stop(op: number): boolean {
    if (this.output?.op === op) this.endOutput({ reason: "stopped" });
    else if (this.recorder?.op === op) this.endRecording("stopped");
    else if (this.collector?.op === op) this.endCollection(this.collector.run.partial("stopped"));
    else return false;
    return true;
  }

  /** A digit, from any of the three forms, once. */
  digit(digit: string, source: DigitSource, durationMs: number, volume?: number): void {
    if (this.closed) return;
    if (source !== "inband") {
      this.inbandEnabled = false;
      const last = this.lastDigit;
      if (last.digit === digit && last.source !== source && this.clockMs - last.at < CROSS_SOURCE_MS) return;
      this.lastDigit = { digit, source, at: this.clockMs };
    }
    this.counters.digits++;
    this.emit({
      type: "digit",
      endpoint: this.id,
      digit,
      source,
      durationMs,
      ...(volume === undefined ? {} : { volume }),
    });
    if (this.output?.interrupt.includes(digit)) this.endOutput({ reason: "interrupted", digit });
    if (this.recorder?.run.op.endDigits?.includes(digit)) {
      this.endRecording("interrupted", digit);
      return; // the digit that ends a message is not type-ahead for what follows
    }
    if (this.collector !== undefined) {
      const result = this.collector.run.digit(digit);
      if (result !== undefined) this.endCollection(result);
    } else if (this.typeAhead.length < TYPE_AHEAD_MAX) this.typeAhead += digit;
  }

  private endOutput(result: OpResult): void {
    const output = this.output;
    if (output === undefined) return;
    this.output = undefined;
    output.ended?.();
    this.emit({ type: "op", endpoint: this.id, op: output.op, ...result });
  }

  private endRecording(reason: OpResult["reason"], digit?: string): void {
    const recording = this.recorder;
    if (recording === undefined) return;
    this.recorder = undefined;
    const written = recording.run
      .finish(reason, digit)
      .then((result) => this.emit({ type: "op", endpoint: this.id, op: recording.op, ...result }));
    this.writing = written;
  }

  /**
   * Resolves once the last recording's file is written and its end reported: a hang-up's
   * recording is still being written when close() returns, and its result must reach the
   * service before the close is acknowledged (or the handle would report it lost).
   */
  settled(): Promise<void> {
    return this.writing ?? Promise.resolve();
  }

  private endCollection(result: OpResult): void {
    const collection = this.collector;
    if (collection === undefined) return;
    this.collector = undefined;
    this.emit({ type: "op", endpoint: this.id, op: collection.op, ...result });
  }

  stats(): EndpointStats {
    return { ...this.counters, packetsOut: this.sender.packetsSent };
  }

  /** The call is over: every running operation ends as hung up (a recording keeps what it has). */
  close(): EndpointStats {
    if (!this.closed) {
      this.closed = true;
      this.endOutput({ reason: "hangup" });
      this.endRecording("hangup");
      if (this.collector !== undefined) this.endCollection(this.collector.run.partial("hangup"));
      this.transport.close();
    }
    return this.stats();
  }
}
