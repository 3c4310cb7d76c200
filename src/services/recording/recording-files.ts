/**
 * Where call recordings live and how long: `<dataDir>/recordings/calls/<yyyy>/<mm>/<dd>/<id>.wav`
 * (the date of the recording's start, UTC, as the CDR files are named), whether that folder can
 * be written, and the retention sweep that deletes what is older than the retention time (rows
 * and files), run at start and daily.
 */
import { constants } from "node:fs";
import { access, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { RecordingRepository } from "../../store/index.js";

const DAY_MS = 86_400_000;
/** Rows deleted per query of the sweep (a long-neglected archive goes in batches). */
const SWEEP_BATCH = 500;

/** The recordings folder (the voicemail, prompts and record tests have their own beside it). */
export function recordingsRoot(dataDir: string): string {
  return join(dataDir, "recordings");
}

/** A recording's file, relative to the recordings folder. */
export function recordingFile(id: string, startedAt: number): string {
  const d = new Date(startedAt);
  const two = (n: number) => String(n).padStart(2, "0");
  return `calls/${d.getUTCFullYear()}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${id}.wav`;
}

/** The absolute path of a stored file name, or undefined when it would leave the folder. */
export function recordingPath(root: string, file: string): string | undefined {
  if (!/^calls\/\d{4}\/\d{2}\/\d{2}\/[\w.-]+\.wav$/.test(file) || file.includes("..")) return undefined;
  return join(root, file);
}

/** Whether recordings can be written: the calls folder exists (or is made) and is writable. */
export async function writableFolder(root: string): Promise<string | undefined> {
  const calls = join(root, "calls");
  try {
    await mkdir(calls, { recursive: true });
    await access(calls, constants.W_OK);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Deletes the recordings started more than `days` days before `now` (0 = keep forever), files
 * first, then rows. Resolves to how many went.
 */
export async function sweepRecordings(
  repository: RecordingRepository,
  root: string,
  days: number,
  now: number,
): Promise<number> {
  if (days <= 0) return 0;
  const before = now - days * DAY_MS;
  let deleted = 0;
  for (;;) {
    const batch = await repository.startedBefore(before, SWEEP_BATCH);
    for (const r of batch) {
      const path = recordingPath(root, r.file);
      if (path !== undefined) await rm(path, { force: true });
      await repository.delete(r.domainId, r.id);
      deleted++;
    }
    if (batch.length < SWEEP_BATCH) return deleted;
  }
}
