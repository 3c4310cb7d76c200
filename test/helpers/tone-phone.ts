/**
 * A scripted phone with an ear: a ScriptedPhone whose media is an RtpPeer. It sends a tone to
 * wherever the call's latest SDP points (the answer to its INVITE, then each re-INVITE's offer:
 * a hold, a transfer), is silent while the offer says the other side only sends (held), and keeps
 * every RTP packet it receives with its arrival time. For a party whose hearing must be measured
 * across re-INVITEs, which baresip's own recorder does not survive (it stops at a re-INVITE).
 */
import { decode, encode } from "../../src/media/dsp/g711.js";
import { RtpPeer } from "./rtp-peer.js";
import { type PhoneDialog, ScriptedPhone } from "./scripted-phone.js";

export class TonePhone {
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly phone: ScriptedPhone,
    readonly ear: RtpPeer,
  ) {}

  static async open(user: string, serverPort: number): Promise<TonePhone> {
    const ear = await RtpPeer.open();
    return new TonePhone(await ScriptedPhone.open(user, serverPort, ear.port), ear);
  }

  /** Where the dialog's latest SDP sends media, and whether this phone may send (not held). */
  private target(dialog: PhoneDialog): { port: number; send: boolean } | undefined {
    const offers = this.phone.received
      .filter((m) => m.method === "INVITE" && m.callId === dialog.callId && m.body.length > 0)
      .map((m) => m.body.toString());
    const sdp = offers.at(-1) ?? dialog.answer ?? "";
    const port = Number(/^m=audio (\d+)/m.exec(sdp)?.[1] ?? 0);
    if (port === 0) return undefined;
    return { port, send: !/^a=(sendonly|inactive)/m.test(sdp) };
  }

  /** Sends `hz` (PCMU, 20 ms packets) in `dialog` until stop(), following its re-INVITEs. */
  startTone(dialog: PhoneDialog, hz: number, amplitude = 8000): void {
    let n = 0;
    this.timer = setInterval(() => {
      const to = this.target(dialog);
      const pcm = new Int16Array(160);
      for (let i = 0; i < 160; i++)
        pcm[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * (n * 160 + i)) / 8000));
      n++;
      if (to?.send) this.ear.send(to.port, this.rtp(encode("PCMU", pcm)));
    }, 20);
  }

  private seq = 1;
  private ts = 80_000;
  private rtp(payload: Uint8Array): Buffer {
    const b = Buffer.alloc(12 + payload.length);
    b[0] = 0x80;
    b[1] = 0;
    b.writeUInt16BE(this.seq++ & 0xffff, 2);
    b.writeUInt32BE(this.ts >>> 0, 4);
    this.ts += 160;
    b.writeUInt32BE(0x7a7a7a7a, 8);
    b.set(payload, 12);
    return b;
  }

  /** The audio (PCMU or PCMA) that arrived between two performance.now() times, decoded. */
  heardBetween(from: number, to: number): Int16Array {
    const packets = this.ear.inbox.filter((p) => p.at >= from && p.at < to && (p.pt === 0 || p.pt === 8));
    const out = new Int16Array(packets.length * 160);
    for (const [i, p] of packets.entries())
      out.set(decode(p.pt === 0 ? "PCMU" : "PCMA", p.payload).subarray(0, 160), i * 160);
    return out;
  }

  close(): void {
    clearInterval(this.timer);
    this.phone.close();
    this.ear.close();
  }
}
