/**
 * A media endpoint as the signalling thread holds it: a handle whose methods send requests to its
 * worker and whose operations resolve when the worker reports their end. This is the API the
 * services use (voicemail, the auto-attendant, conference, park, the echo test):
 *
 *   const ep = await media.open();                  // a port for the SDP
 *   await ep.setRemote(remote);                     // after offer/answer
 *   const r = await ep.play(items, { interruptDigits: "0123456789*#" });
 *   const { digits } = await ep.collect({ max: 4, terminators: "#", firstDigitMs: 5000, interDigitMs: 3000 });
 *   await ep.record({ file, maxMs: 120_000, endDigits: "#", silenceMs: 5000 });
 *   ep.echo(); ep.bridge(other); ep.conference("7001");
 *   await ep.close();
 *
 * Each operation is cancellable (`stop()`) and ends with exactly one result: completed,
 * interrupted (by `digit`), timeout, hangup, stopped or failed.
 */
import type { G711Codec } from "./dsp/g711.js";
import type {
  DigitSource,
  EndpointOp,
  EndpointRemote,
  EndpointRequest,
  EndpointStats,
  OpResult,
  PlayItem,
} from "./endpoint/endpoint-protocol.js";
import type { MediaReply } from "./protocol.js";

type Distribute<T> = T extends unknown ? Omit<T, "id"> : never;
export type EndpointRequestBody = Distribute<EndpointRequest>;
type Ok = Extract<MediaReply, { ok: true }>;

/** The worker an endpoint lives on, as the handle needs it. */
export interface EndpointChannel {
  request(body: EndpointRequestBody): Promise<Ok>;
}

export interface DigitEvent {
  readonly digit: string;
  readonly source: DigitSource;
  readonly durationMs: number;
  /** RFC 4733: the key's power level in dBm0 (telephone-events only). */
  readonly volume?: number;
}

/** One running operation: a promise of its result, and a way to stop it. */
export class MediaOperation implements PromiseLike<OpResult> {
  readonly result: Promise<OpResult>;
  private settle!: (result: OpResult) => void;
  private settled = false;

  constructor(
    readonly id: number,
    private readonly stopper: (op: MediaOperation) => void,
  ) {
    this.result = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  /** @internal the worker reported the end (or the handle failed to start it). */
  finish(result: OpResult): void {
    if (this.settled) return;
    this.settled = true;
    this.settle(result);
  }

  get done(): boolean {
    return this.settled;
  }

  /** Stops it; it then ends as `stopped` (or as whatever ended it first). */
  stop(): void {
    if (!this.settled) this.stopper(this);
  }

  // biome-ignore lint/suspicious/noThenProperty: an operation is awaited like the promise of its result
  then<A = OpResult, B = never>(
    onfulfilled?: ((value: OpResult) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.result.then(onfulfilled, onrejected);
  }
}

export type RecordOptions = Omit<Extract<EndpointOp, { kind: "record" }>, "kind">;
export type CollectOptions = Omit<Extract<EndpointOp, { kind: "collect" }>, "kind">;

export class EndpointHandle {
  private readonly operations = new Map<number, MediaOperation>();
  private readonly digitListeners = new Set<(event: DigitEvent) => void>();
  private readonly talkingListeners = new Set<(talking: boolean) => void>();
  /** In a conference: whether the participant talks now (the worker's "talking" events). */
  talking = false;
  private nextOp = 1;
  private closing: Promise<EndpointStats | undefined> | undefined;
  /** The law agreed in the SDP (set by setRemote). */
  codec: G711Codec = "PCMU";

  constructor(
    readonly id: string,
    /** The RTP port the SDP names (0 when attached to a relayed call's side). */
    readonly port: number,
    /** @internal the worker it lives on (another endpoint near it shares it). */
    readonly channel: EndpointChannel,
    private readonly forget: (handle: EndpointHandle) => void,
    /** Where warnings about the endpoint go (a missing prompt file, say). */
    readonly warn: (message: string) => void,
  ) {}

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Where to send and what to speak, from the offer/answer (again on every re-INVITE). */
  async setRemote(remote: EndpointRemote): Promise<void> {
    if (this.closed) return;
    this.codec = remote.codec;
    await this.channel.request({ type: "endpoint.remote", endpoint: this.id, remote });
  }

  play(
    items: readonly PlayItem[],
    options: { loop?: boolean; interruptDigits?: string } = {},
  ): MediaOperation {
    return this.start({ kind: "play", items, ...options });
  }

  /** A tone of the system's tone plan (ringback, busy, ...), for `ms` or as long as the tone is. */
  tone(tone: Extract<PlayItem, { tone: unknown }>["tone"], ms?: number): MediaOperation {
    return this.play([{ tone, ...(ms === undefined ? {} : { ms }) }]);
  }

  record(options: RecordOptions): MediaOperation {
    return this.start({ kind: "record", ...options });
  }

  collect(options: CollectOptions): MediaOperation {
    return this.start({ kind: "collect", ...options });
  }

  /** Sends back what the phone sends (the echo test). */
  echo(): MediaOperation {
    return this.start({ kind: "echo" });
  }

  /** Sends what `peer` hears: call it on both to connect two endpoints of one worker. */
  bridge(peer: EndpointHandle): MediaOperation {
    if (peer.channel !== this.channel) {
      const op = new MediaOperation(0, () => {});
      op.finish({ reason: "failed", error: "bridged endpoints must be opened near each other" });
      return op;
    }
    return this.start({ kind: "bridge", peer: peer.id });
  }

  /** Joins a conference room of this worker (rooms live where their first participant is). */
  conference(
    room: string,
    options: { muted?: boolean; volumeDb?: number; tones?: boolean } = {},
  ): MediaOperation {
    return this.start({ kind: "conference", room, ...options });
  }

  async participant(settings: { muted?: boolean; volumeDb?: number }): Promise<void> {
    await this.channel.request({ type: "endpoint.participant", endpoint: this.id, ...settings });
  }

  /** A digit signalled in SIP INFO (RFC 6086): into the same digit stream as RTP's. */
  digit(digit: string, durationMs: number): void {
    if (this.closed) return;
    this.channel
      .request({ type: "endpoint.digit", endpoint: this.id, digit, durationMs })
      .catch((error: unknown) => this.warn(`digit: ${String(error)}`));
  }

  onDigit(listener: (event: DigitEvent) => void): () => void {
    this.digitListeners.add(listener);
    return () => this.digitListeners.delete(listener);
  }

  /** Whenever the participant starts or stops talking in its conference room. */
  onTalking(listener: (talking: boolean) => void): () => void {
    this.talkingListeners.add(listener);
    return () => this.talkingListeners.delete(listener);
  }

  private start(operation: EndpointOp): MediaOperation {
    const op = new MediaOperation(this.nextOp++, (o) => this.stopOp(o));
    if (this.closed) {
      op.finish({ reason: "hangup" });
      return op;
    }
    this.operations.set(op.id, op);
    this.channel
      .request({ type: "endpoint.start", endpoint: this.id, op: op.id, operation })
      .catch((error: unknown) => {
        this.operations.delete(op.id);
        op.finish({ reason: "failed", error: error instanceof Error ? error.message : String(error) });
      });
    return op;
  }

  private stopOp(op: MediaOperation): void {
    this.channel.request({ type: "endpoint.stop", endpoint: this.id, op: op.id }).catch(() => {});
  }

  /** @internal an event of the worker for this endpoint. */
  opEnded(op: number, result: OpResult): void {
    const operation = this.operations.get(op);
    if (operation === undefined) return;
    this.operations.delete(op);
    operation.finish(result);
  }

  /** @internal */
  digitArrived(event: DigitEvent): void {
    for (const l of this.digitListeners) {
      try {
        l(event);
      } catch (error) {
        this.warn(`digit listener: ${String(error)}`);
      }
    }
  }

  /** @internal */
  talkingChanged(talking: boolean): void {
    this.talking = talking;
    for (const l of this.talkingListeners) {
      try {
        l(talking);
      } catch (error) {
        this.warn(`talking listener: ${String(error)}`);
      }
    }
  }

  /** Frees the port; every running operation ends (hangup). Idempotent. */
  close(): Promise<EndpointStats | undefined> {
    if (this.closing === undefined) {
      this.closing = this.channel.request({ type: "endpoint.close", endpoint: this.id }).then(
        (reply) => reply.endpointStats,
        () => undefined,
      );
      this.closing.then(() => {
        // The worker reported every end before its reply; anything left lost its worker.
        for (const op of this.operations.values()) op.finish({ reason: "hangup" });
        this.operations.clear();
        this.forget(this);
      });
    }
    return this.closing;
  }
}
