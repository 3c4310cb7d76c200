/**
 * The browser's side of a call's sound: the microphone (with its failures named so the page can
 * explain them), the ring of an incoming call made with Web Audio (no sound file), and the desktop
 * notification of an incoming call.
 */

/** Why the microphone could not be opened, in the page's words (see phone.err.* messages). */
export type MicrophoneProblem = "micDenied" | "micMissing" | "micOther" | "insecure";

export class MicrophoneError extends Error {
  constructor(
    readonly problem: MicrophoneProblem,
    readonly domName: string,
  ) {
    super(`${problem} (${domName})`);
    this.name = "MicrophoneError";
  }
}

/**
 * Opens the microphone. getUserMedia's errors (Media Capture and Streams, section 9.2):
 * NotAllowedError when the user or a policy refused, NotFoundError when there is no audio input,
 * NotReadableError when the device is busy. Without a secure context there is no mediaDevices.
 */
export async function openMicrophone(): Promise<MediaStream> {
  if (navigator.mediaDevices?.getUserMedia === undefined)
    throw new MicrophoneError("insecure", "no mediaDevices");
  try {
    return await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
  } catch (error) {
    const name = error instanceof DOMException ? error.name : String(error);
    if (name === "NotAllowedError" || name === "SecurityError") throw new MicrophoneError("micDenied", name);
    if (name === "NotFoundError" || name === "OverconstrainedError")
      throw new MicrophoneError("micMissing", name);
    throw new MicrophoneError("micOther", name);
  }
}

export function stopStream(stream: MediaStream | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

/** One AudioContext for the page, created (and resumed) on a user's click so it may play. */
let context: AudioContext | undefined;

export function unlockAudio(): void {
  context ??= new AudioContext();
  if (context.state === "suspended") void context.resume();
}

/** Seconds of one ring cadence: 1 s of tone, then 3 s of silence. */
const CADENCE = { on: 1, period: 4 } as const;

/**
 * The ring of an incoming call: two sines (440 + 480 Hz, the common ring-back pair) gated by a
 * gain node on the cadence above, scheduled a few cadences ahead and topped up while ringing.
 */
export class Ringer {
  private oscillators: OscillatorNode[] = [];
  private gain: GainNode | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private scheduledUntil = 0;

  get ringing(): boolean {
    return this.gain !== undefined;
  }

  start(): void {
    if (this.gain !== undefined) return;
    unlockAudio();
    const ctx = context;
    if (ctx === undefined) return;
    const gain = ctx.createGain();
    gain.gain.value = 0;
    gain.connect(ctx.destination);
    this.oscillators = [440, 480].map((frequency) => {
      const osc = ctx.createOscillator();
      osc.frequency.value = frequency;
      osc.connect(gain);
      osc.start();
      return osc;
    });
    this.gain = gain;
    this.scheduledUntil = ctx.currentTime;
    this.schedule(ctx);
    this.timer = setInterval(() => this.schedule(ctx), 1000);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const osc of this.oscillators) osc.stop();
    this.oscillators = [];
    this.gain?.disconnect();
    this.gain = undefined;
  }

  private schedule(ctx: AudioContext): void {
    const gain = this.gain;
    if (gain === undefined) return;
    while (this.scheduledUntil < ctx.currentTime + 2 * CADENCE.period) {
      const t = this.scheduledUntil;
      gain.gain.setValueAtTime(0.15, t);
      gain.gain.setValueAtTime(0, t + CADENCE.on);
      this.scheduledUntil = t + CADENCE.period;
    }
  }
}

/** Asks for permission to notify, once, from a click (browsers ignore it otherwise). */
export function askNotificationPermission(): void {
  if (typeof Notification !== "undefined" && Notification.permission === "default")
    void Notification.requestPermission().catch(() => {});
}

/** A desktop notification of an incoming call; clicking it brings the page forward. */
export function notifyIncoming(title: string, body: string, tag: string): Notification | undefined {
  if (typeof Notification === "undefined" || Notification.permission !== "granted") return undefined;
  try {
    const notification = new Notification(title, { body, tag, requireInteraction: true });
    notification.onclick = () => {
      window.focus();
      notification.close();
    };
    return notification;
  } catch {
    // Some browsers (Android Chrome) allow notifications only from a service worker.
    return undefined;
  }
}
