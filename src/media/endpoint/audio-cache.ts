/**
 * The worker's copy of every audio file it plays, read and decoded once (never per packet) and
 * kept in both G.711 laws, so playing a prompt to a phone is a slice of bytes per tick. A file
 * the administrator replaced is forgotten (media.forget) and read again on next use. A missing
 * or corrupt file is an error for the play that asked for it, never a crash; the failure is not
 * cached, so a file put in place later plays.
 */
import { readFile } from "node:fs/promises";
import { readWav } from "../audio/wav.js";
import { encode, type G711Codec } from "../dsp/g711.js";

export interface Clip {
  readonly samples: number;
  readonly encoded: Readonly<Record<G711Codec, Uint8Array>>;
}

export type ClipResult =
  | { readonly ok: true; readonly clip: Clip }
  | { readonly ok: false; readonly error: string };

async function load(file: string): Promise<ClipResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, error: `${file}: ${code === "ENOENT" ? "no such file" : String(error)}` };
  }
  const wav = readWav(bytes);
  if (!wav.ok) return { ok: false, error: `${file}: ${wav.error}` };
  return {
    ok: true,
    clip: {
      samples: wav.pcm.length,
      encoded: { PCMU: encode("PCMU", wav.pcm), PCMA: encode("PCMA", wav.pcm) },
    },
  };
}

export class AudioCache {
  private readonly clips = new Map<string, Promise<ClipResult>>();

  get(file: string): Promise<ClipResult> {
    let entry = this.clips.get(file);
    if (entry === undefined) {
      entry = load(file);
      this.clips.set(file, entry);
      entry.then((r) => {
        if (!r.ok && this.clips.get(file) === entry) this.clips.delete(file);
      });
    }
    return entry;
  }

  forget(file: string): void {
    this.clips.delete(file);
  }

  get size(): number {
    return this.clips.size;
  }
}
