/**
 * RFC 4733 telephone-event (DTMF as RTP events): the receiver that turns a stream of event
 * packets into one digit per key press, and the payload encoder.
 *
 * Payload (RFC 4733 2.3), 4 bytes per event:
 *    0                   1                   2                   3
 *   |     event     |E|R| volume    |          duration             |
 * event 0-9 = "0".."9", 10 = "*", 11 = "#", 12-15 = "A".."D" (2.3.1 and Table 7); E: the event
 * has ended; volume: the power level in dBm0 with the sign dropped (0 to -63 dBm0, 2.3.4);
 * duration: in timestamp units since the event started (2.3.5).
 */

const KEYS = "0123456789*#ABCD";
/** 2.5.2.3: a receiver that hears nothing more of an event may end it on its own. */
const EVENT_TIMEOUT_MS = 500;
/** Starts of recently finished events, whose late or repeated packets are ignored. */
const RECENT = 16;
/** After this long without event packets, an earlier timestamp is a restarted stream, not a late packet. */
const RESTART_MS = 2000;

export class TelephoneEventReceiver {
  private active = false;
  /** RTP timestamp of the current event (of its current segment, for a long event: 2.5.1.3). */
  private start = 0;
  private event = 0;
  private volume = 0;
  /** Duration within the current segment, and of the segments before it, in timestamp units. */
  private duration = 0;
  private earlier = 0;
  private reported = false;
  private lastHeardMs = 0;
  private readonly recent = new Float64Array(RECENT).fill(-1);
  private recentNext = 0;

  constructor(
    private readonly onDigit: (digit: string, durationMs: number, volume: number) => void,
    private readonly clockRate = 8000,
  ) {}

  /**
   * One telephone-event RTP packet: its payload (`length` bytes at `offset`), RTP timestamp and
   * marker bit, and when it arrived. A payload shorter than 4 bytes is ignored. The marker only
   * flags an event's first packet (2.5.1.2), which may be lost, so events are told apart by
   * their timestamps alone.
   */
  receive(
    payload: Uint8Array,
    offset: number,
    length: number,
    timestamp: number,
    _marker: boolean,
    nowMs: number,
  ): void {
    // RFC 4733 2.5.1.5: several events may share a packet, in time order, the RTP timestamp being
    // the first one's; each later event starts where the one before it ended.
    let start = timestamp >>> 0;
    for (let at = offset; at + 4 <= offset + length; at += 4) {
      const duration = (payload[at + 2] << 8) | payload[at + 3];
      this.block(payload[at], (payload[at + 1] & 0x80) !== 0, payload[at + 1] & 0x3f, duration, start, nowMs);
      start = (start + duration) >>> 0;
    }
  }

  /** Ends an event whose end packets were all lost once it has been silent for 500 ms. */
  tick(nowMs: number): void {
    if (this.active && !this.reported && nowMs - this.lastHeardMs >= EVENT_TIMEOUT_MS) this.report();
  }

  private block(event: number, end: boolean, volume: number, duration: number, start: number, nowMs: number) {
    // Events other than DTMF (16: flash, and the codes of RFC 4734) are not digits.
    if (event > 15) return;
    if (this.active && start === this.start) {
      // 2.5.1.2: every packet of an event, retransmitted end packets included, carries its start.
      if (event !== this.event) return;
      this.lastHeardMs = nowMs;
      this.volume = volume;
      // Packets may come out of order: a shorter duration is an older packet.
      if (duration > this.duration) this.duration = duration;
      if (end && !this.reported) this.report();
      return;
    }
    if (this.wasSeen(start)) return;
    if (this.active) {
      const gap = (start - this.start) >>> 0;
      // An event older than the current one, never heard before, is a stray late packet while the
      // current event goes on, and a lone end packet of it is one too. But once the current event
      // has ended, the start of an older-stamped event is a new press: senders that replay
      // recorded events (sipp's play_pcap_audio of one pcap per key) stamp each as it was
      // recorded, earlier or later. A quiet stream may also have restarted its timestamps.
      const newPress = this.reported && !end;
      if (gap >= 0x80000000 && !newPress && nowMs - this.lastHeardMs < RESTART_MS) return;
      // 2.5.1.3: a long event goes on in a new segment that starts where the last one reached
      // (0xFFFF units), with the same event code and no end bit before it.
      if (!this.reported && event === this.event && (gap === 0xffff || gap === this.duration)) {
        this.remember(this.start);
        this.earlier += gap;
        this.start = start;
        this.duration = duration;
        this.volume = volume;
        this.lastHeardMs = nowMs;
        if (end) this.report();
        return;
      }
      // A new event: the current one ended even if its end packets were lost.
      if (!this.reported) this.report();
      this.remember(this.start);
    }
    this.active = true;
    this.start = start;
    this.event = event;
    this.volume = volume;
    this.duration = duration;
    this.earlier = 0;
    this.reported = false;
    this.lastHeardMs = nowMs;
    if (end) this.report();
  }

  private report(): void {
    this.reported = true;
    const units = this.earlier + this.duration;
    this.onDigit(KEYS[this.event], (units * 1000) / this.clockRate, -this.volume);
  }

  private wasSeen(start: number): boolean {
    for (let i = 0; i < RECENT; i++) if (this.recent[i] === start) return true;
    return false;
  }

  private remember(start: number): void {
    this.recent[this.recentNext] = start;
    this.recentNext = (this.recentNext + 1) % RECENT;
  }
}

/**
 * The 4-byte payload of one event report (RFC 4733 2.3): `digit` one of 0-9 * # A-D, `volume`
 * its level in dBm0 (0 to -63; the sign is dropped on the wire, 2.3.4), `duration` in timestamp
 * units since the event started (0-65535).
 */
export function encodeTelephoneEvent(
  digit: string,
  end: boolean,
  volume: number,
  duration: number,
): Uint8Array {
  const event = KEYS.indexOf(digit.toUpperCase());
  if (event < 0 || digit.length !== 1) throw new RangeError(`not a DTMF digit: ${JSON.stringify(digit)}`);
  const level = Math.min(63, Math.round(Math.abs(volume)));
  const units = Math.max(0, Math.min(0xffff, Math.round(duration)));
  return Uint8Array.of(event, (end ? 0x80 : 0) | level, units >> 8, units & 0xff);
}
