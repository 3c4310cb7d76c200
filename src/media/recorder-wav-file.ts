/**
 * A WAV file written as a call goes on: 8 kHz 16-bit linear PCM (format 1), mono or two channels,
 * appended in the order it is given, one write at a time. The RIFF and data sizes are put right
 * every few seconds and at the end, so a file cut short (a crash, a full disk) still plays up to
 * its last update. Writing never throws at its caller: a failure (ENOSPC, EACCES, EIO) ends the
 * file and is reported once through `failed`, so the call that is being recorded goes on.
 */
import { type FileHandle, open } from "node:fs/promises";

const HEADER_BYTES = 44;
/** Sizes are rewritten after this much new audio (bytes of PCM: about 5 s mono). */
const SIZE_UPDATE_BYTES = 80_000;

/** The canonical 44-byte header of a 16-bit PCM WAV (RIFF, fmt, data) with the given data size. */
export function wavHeader(channels: 1 | 2, dataBytes: number, rate = 8000): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.write("RIFF", 0, "latin1");
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write("WAVE", 8, "latin1");
  h.write("fmt ", 12, "latin1");
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * channels * 2, 28); // byte rate
  h.writeUInt16LE(channels * 2, 32); // block align
  h.writeUInt16LE(16, 34);
  h.write("data", 36, "latin1");
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

export class RecorderWavFile {
  private file: FileHandle | undefined;
  private queue: Buffer[] = [];
  private writing: Promise<void> = Promise.resolve();
  private busy = false;
  private dataBytes = 0;
  private sizedAt = 0;
  private ended = false;
  /** The first error, once writing failed (the file holds what was written before it). */
  error: string | undefined;

  constructor(
    readonly path: string,
    private readonly channels: 1 | 2,
    /** Called once when writing fails. */
    private readonly failed: (error: string) => void,
  ) {}

  /** Bytes of audio written so far (the file is 44 bytes more). */
  get bytes(): number {
    return this.dataBytes;
  }

  /** Creates the file with its header; false (and `error`) when it cannot be created. */
  async open(): Promise<boolean> {
    try {
      this.file = await open(this.path, "w");
      await this.file.write(wavHeader(this.channels, 0), 0, HEADER_BYTES, 0);
      return true;
    } catch (error) {
      await this.fail(error);
      return false;
    }
  }

  /** Queues PCM (interleaved when two channels) for the end of the file. */
  append(pcm: Int16Array): void {
    if (this.ended || this.file === undefined || pcm.length === 0) return;
    this.queue.push(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
    if (!this.busy) this.writing = this.drain();
  }

  /** Writes what is queued, puts the sizes right and closes; resolves when done (never rejects). */
  async close(): Promise<void> {
    if (this.ended) return this.writing;
    await this.writing;
    this.ended = true;
    if (this.file === undefined) return;
    if (this.error === undefined) await this.updateSizes().catch((error: unknown) => this.fail(error));
    await this.file.close().catch(() => {});
    this.file = undefined;
  }

  private async drain(): Promise<void> {
    this.busy = true;
    while (this.queue.length > 0 && this.file !== undefined && this.error === undefined) {
      const chunk = this.queue.length === 1 ? this.queue[0] : Buffer.concat(this.queue);
      this.queue = [];
      try {
        const { bytesWritten } = await this.file.write(chunk, 0, chunk.length, HEADER_BYTES + this.dataBytes);
        this.dataBytes += bytesWritten;
        // A short write without an error is a full disk by another name.
        if (bytesWritten < chunk.length) throw Object.assign(new Error("short write"), { code: "ENOSPC" });
        if (this.dataBytes - this.sizedAt >= SIZE_UPDATE_BYTES) await this.updateSizes();
      } catch (error) {
        await this.fail(error);
      }
    }
    this.busy = false;
  }

  private async updateSizes(): Promise<void> {
    if (this.file === undefined) return;
    const header = wavHeader(this.channels, this.dataBytes);
    await this.file.write(header, 4, 4, 4);
    await this.file.write(header, 40, 4, 40);
    this.sizedAt = this.dataBytes;
  }

  private async fail(error: unknown): Promise<void> {
    if (this.error !== undefined) return;
    const code = (error as { code?: unknown })?.code;
    this.error = typeof code === "string" ? `${code}: ${(error as Error).message}` : String(error);
    this.queue = [];
    this.ended = true;
    // Keep what was written playable: the sizes as far as the disk took it (best effort).
    if (this.file !== undefined) {
      await this.updateSizes().catch(() => {});
      await this.file.close().catch(() => {});
      this.file = undefined;
    }
    this.failed(this.error);
  }
}
