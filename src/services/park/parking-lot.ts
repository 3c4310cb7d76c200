/**
 * The parking lot (FEATURES.md section 6, "Park / retrieve"): slots 1-99 per domain, each holding
 * one parked call. The parked party's side of the call talks to a Parley endpoint that plays
 * music on hold; whoever retrieves it (or the parker, rung back when nobody did within the park
 * timeout) joins that endpoint in a two-party room of the mixer. A parker that does not answer its
 * ring-back is rung again after another timeout, three times at most; then the parked call ends.
 */
import type { CallControl, CallSide, ControlledCall } from "../../call/call-control.js";
import type { MediaEndpoint } from "../../call/media-endpoint.js";
import type { RingBack } from "../../call/ring-back.js";
import type { CallParty } from "../../call/types.js";
import type { MediaServer } from "../../media/media-server.js";
import type { MediaScriptContext } from "../../media/sip-media-endpoint.js";
import type { Clock, TimerHandle } from "../../util/clock.js";
import type { Logger } from "../../util/logger.js";
import { SharedRoom } from "../rooms/shared-room.js";

export const PARK_SLOTS = 99;
/** Ring-backs to a parker that does not answer before the parked call is given up. */
export const RING_BACKS = 3;

/** A parked call as the API and the dashboard show it. */
export interface ParkedCallView {
  readonly domainId: number;
  readonly slot: number;
  readonly callId: string;
  readonly parked: CallParty;
  readonly parker: CallParty;
  /** Epoch ms. */
  readonly parkedAt: number;
  /** Parley is ringing the parker back now. */
  readonly ringingBack: boolean;
  readonly ringBacks: number;
}

interface Slot {
  readonly domainId: number;
  readonly number: number;
  readonly call: ControlledCall;
  readonly parkedSide: CallSide;
  readonly parked: CallParty;
  readonly parker: CallParty;
  readonly parkedAt: number;
  readonly room: SharedRoom;
  /** Set by the parked endpoint's script: stops the music, the parked party joins the room. */
  release?: () => void;
  /** Taken (retrieved or rung back) before the music started. */
  taken: boolean;
  timer?: TimerHandle;
  ringBack?: RingBack;
  ringBacks: number;
}

export interface ParkingLotOptions {
  readonly media: MediaServer;
  readonly calls: CallControl;
  readonly clock: Clock;
  readonly now: () => number;
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** A slot was taken or freed (the dashboard refreshes). */
  readonly onChange: () => void;
}

export class ParkingLot {
  private readonly slots = new Map<string, Slot>();
  private readonly slotListeners = new Set<(domainId: number, slot: number) => void>();

  constructor(private readonly o: ParkingLotOptions) {}

  list(): ParkedCallView[] {
    return [...this.slots.values()]
      .map((s) => ({
        domainId: s.domainId,
        slot: s.number,
        callId: s.call.id,
        parked: s.parked,
        parker: s.parker,
        parkedAt: s.parkedAt,
        ringingBack: s.ringBack !== undefined,
        ringBacks: s.ringBacks,
      }))
      .sort((a, b) => a.domainId - b.domainId || a.slot - b.slot);
  }

  /** A slot was taken, freed or began ringing back (busy lamps on park keys); returns the removal. */
  onSlotChange(listener: (domainId: number, slot: number) => void): () => void {
    this.slotListeners.add(listener);
    return () => this.slotListeners.delete(listener);
  }

  /** The call parked in a slot, if any. */
  parkedIn(domainId: number, slot: number): ParkedCallView | undefined {
    return this.list().find((v) => v.domainId === domainId && v.slot === slot);
  }

  isTaken(domainId: number, slot: number): boolean {
    return this.slots.has(key(domainId, slot));
  }

  /** The lowest free slot of a domain, or undefined when all 99 are taken. */
  freeSlot(domainId: number): number | undefined {
    for (let n = 1; n <= PARK_SLOTS; n++) if (!this.isTaken(domainId, n)) return n;
    return undefined;
  }

  /** The slot a parker used last (retrieving with the bare code). */
  lastParkedBy(domainId: number, user: string): number | undefined {
    let found: Slot | undefined;
    for (const s of this.slots.values())
      if (
        s.domainId === domainId &&
        s.parker.user === user &&
        (found === undefined || s.parkedAt > found.parkedAt)
      )
        found = s;
    return found?.number;
  }

  /**
   * Parks the `parkedSide` of `call` in `slot` (free: the caller checked); the other side meets
   * `parkerFate`. The slot is the parked party's until retrieved, rung back or hung up.
   */
  async park(
    call: ControlledCall,
    parkedSide: CallSide,
    parker: CallParty,
    slotNumber: number,
    parkerFate: { kind: "leave" } | { kind: "endpoint"; endpoint: MediaEndpoint },
  ): Promise<boolean> {
    const domainId = parker.domainId;
    const parked = parkedSide === "caller" ? call.caller : call.callee;
    const name = `park:${domainId}:${slotNumber}:${call.id}`;
    const slot: Slot = {
      domainId,
      number: slotNumber,
      call,
      parkedSide,
      parked,
      parker,
      parkedAt: this.o.now(),
      room: new SharedRoom(name, this.o.media),
      taken: false,
      ringBacks: 0,
    };
    this.slots.set(key(domainId, slotNumber), slot);
    const endpoint = this.o.media.sipEndpoint("parley:park", (context) => this.hold(slot, context), {
      room: name,
    });
    const parkerSide = parkedSide === "caller" ? "callee" : "caller";
    const moved = await call.moveSides({
      [parkedSide]: { kind: "endpoint", endpoint },
      [parkerSide]: parkerFate,
    } as Record<CallSide, typeof parkerFate>);
    if (!moved) {
      this.free(slot);
      await endpoint.close();
      return false;
    }
    // The parker is no longer in the call (nor busy): the slot stands on its side.
    call.replaceParty(parkerSide, {
      domainId,
      user: `park-${slotNumber}`,
      displayName: `Parked ${slotNumber}`,
    });
    this.arm(slot);
    this.o.logger.info(
      { call: call.id, slot: slotNumber, parked: parked.user, parker: parker.user },
      "call parked",
    );
    this.changed(slot);
    return true;
  }

  /**
   * `retriever` takes the call parked in `slot`: an endpoint for the retriever's own call, which
   * joins the parked party's room; undefined when the slot is empty.
   */
  retrieve(
    domainId: number,
    slotNumber: number,
    retriever: CallParty,
  ): { endpoint: MediaEndpoint; parked: CallParty } | undefined {
    const slot = this.slots.get(key(domainId, slotNumber));
    if (slot === undefined) return undefined;
    this.take(slot, retriever);
    this.o.logger.info(
      { call: slot.call.id, slot: slotNumber, retriever: retriever.user },
      "parked call retrieved",
    );
    return { endpoint: slot.room.endpoint("parley:park"), parked: slot.parked };
  }

  /** The parked party's endpoint: music until taken, then the room; the slot frees when it leaves. */
  private async hold(slot: Slot, context: MediaScriptContext): Promise<void> {
    try {
      if (!slot.taken) {
        const music = context.endpoint.play(this.o.media.speech([{ music: "default" }]), { loop: true });
        slot.release = () => music.stop();
        const result = await music;
        if (context.ended || result.reason === "hangup") return;
      }
      await slot.room.stay(context);
    } finally {
      // The parked party hung up (or the call ended) while still parked.
      if (this.slots.get(key(slot.domainId, slot.number)) === slot) {
        this.o.logger.info({ call: slot.call.id, slot: slot.number }, "parked call hung up");
        this.free(slot);
      }
      slot.room.close();
    }
  }

  /** The slot is over for the parked call: timers and ring-back stop, the music gives way. */
  private take(slot: Slot, party: CallParty): void {
    this.free(slot);
    slot.taken = true;
    slot.release?.();
    slot.call.replaceParty(slot.parkedSide === "caller" ? "callee" : "caller", party);
  }

  private free(slot: Slot): void {
    if (this.slots.get(key(slot.domainId, slot.number)) === slot) {
      this.slots.delete(key(slot.domainId, slot.number));
      this.changed(slot);
    }
    slot.timer?.cancel();
    slot.timer = undefined;
    slot.ringBack?.cancel();
    slot.ringBack = undefined;
  }

  private arm(slot: Slot): void {
    slot.timer = this.o.clock.setTimer(this.o.timeoutMs, () => {
      slot.timer = undefined;
      this.ringBack(slot).catch((error: unknown) =>
        this.o.logger.warn({ err: error, slot: slot.number }, "park ring-back failed"),
      );
    });
  }

  /** Nobody retrieved the call in time: Parley rings the parker, who then talks with the parked party. */
  private async ringBack(slot: Slot): Promise<void> {
    if (!this.parkedNow(slot)) return;
    slot.ringBacks++;
    const endpoint = slot.room.endpoint("parley:park-ring-back");
    const started = await this.o.calls.ringUser(slot.parker.user, slot.parked, endpoint, slot.call.host);
    if (!("result" in started) || !this.parkedNow(slot)) {
      if ("result" in started) started.cancel();
      await endpoint.close();
      this.notAnswered(slot, "status" in started ? started.status : 487);
      return;
    }
    slot.ringBack = started;
    this.changed(slot);
    const result = await started.result;
    if (slot.ringBack === started) slot.ringBack = undefined;
    if (result.ok && this.parkedNow(slot) && slot.call.attachSide(result.dialog, endpoint, slot.parker)) {
      this.take(slot, slot.parker);
      this.o.logger.info(
        { call: slot.call.id, slot: slot.number, parker: slot.parker.user },
        "parked call rung back",
      );
      return;
    }
    if (result.ok) result.dialog.bye().then(undefined, () => {});
    await endpoint.close();
    this.notAnswered(slot, result.ok ? 487 : result.status);
  }

  /** The parker did not take its ring-back: parked again for another timeout, or given up. */
  private notAnswered(slot: Slot, status: number): void {
    if (!this.parkedNow(slot)) return;
    this.changed(slot);
    if (slot.ringBacks < RING_BACKS) {
      this.o.logger.info(
        { slot: slot.number, status, ringBacks: slot.ringBacks },
        "park ring-back not answered",
      );
      this.arm(slot);
      return;
    }
    this.o.logger.info(
      { call: slot.call.id, slot: slot.number },
      "parked call given up after its ring-backs",
    );
    this.free(slot);
    slot.call.hangup("no-answer");
  }

  private changed(slot: Slot): void {
    this.o.onChange();
    for (const listener of this.slotListeners) listener(slot.domainId, slot.number);
  }

  private parkedNow(slot: Slot): boolean {
    return this.slots.get(key(slot.domainId, slot.number)) === slot && slot.call.state === "answered";
  }

  /** Every parked call ends (shutdown). */
  close(): void {
    for (const slot of [...this.slots.values()]) {
      this.free(slot);
      slot.call.hangup("server-shutdown");
    }
  }
}

function key(domainId: number, slot: number): string {
  return `${domainId}:${slot}`;
}
