/**
 * `parley recordings list|delete`: call recordings (issue 17), straight in the store and the data
 * dir like the voicemail commands, with the same settings (--data-dir, --database-url, --config,
 * PARLEY_*). A deletion removes the WAV with its row, as the API does; the CDR keeps the id.
 */
import { rm } from "node:fs/promises";
import type { Command } from "commander";
import { recordingPath, recordingsRoot } from "../services/recording/recording-files.js";
import { type CallRecording, NotFoundError } from "../store/index.js";
import { isoTime, isoTimesReplacer } from "../util/iso-time.js";
import {
  run,
  type StoreOptions,
  storeCommand,
  storeSettings,
  table,
  UsageError,
  withStore,
} from "./user-commands.js";

const iso = isoTime;

/** "m:ss", or "h:mm:ss" from an hour. */
function length(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const mm = String(Math.floor((seconds % 3600) / 60));
  const ss = String(seconds % 60).padStart(2, "0");
  return h > 0 ? `${h}:${mm.padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

export function recordingsTable(items: readonly CallRecording[]): string {
  if (items.length === 0) return "no recordings";
  return table(
    ["ID", "STARTED", "CALLER", "CALLEE", "LENGTH", "BYTES", "FILE"],
    items.map((r) => [
      r.id,
      iso(r.startedAt),
      r.caller,
      r.callee,
      length(r.durationMs),
      String(r.bytes),
      r.file,
    ]),
  );
}

export function registerRecordingCommands(program: Command): void {
  const recordings = program.command("recordings").description("call recordings: list and delete");

  storeCommand(recordings, "list")
    .description("list call recordings, newest first")
    .option("--number <number>", "only calls from or to this number")
    .option("--limit <n>", "at most this many (default 100, at most 1000)")
    .action((opts: StoreOptions & { number?: string; limit?: string }) =>
      run(async () => {
        if (opts.limit !== undefined && !/^\d+$/.test(opts.limit))
          throw new UsageError("--limit must be a number");
        const page = await withStore(opts, (store, domainId) =>
          store.recordings.list({
            domainId,
            ...(opts.number === undefined ? {} : { number: opts.number }),
            ...(opts.limit === undefined ? {} : { limit: Number(opts.limit) }),
          }),
        );
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(page, isoTimesReplacer, 2)}\n`);
          return;
        }
        process.stdout.write(`${recordingsTable(page.items)}\n`);
        process.stdout.write(`${page.items.length} of ${page.total} recordings\n`);
      }),
    );

  storeCommand(recordings, "delete")
    .description("delete a call recording and its WAV file")
    .argument("<id>", "the recording's id (see recordings list)")
    .action((id: string, opts: StoreOptions) =>
      run(async () => {
        const root = recordingsRoot(storeSettings(opts).dataDir);
        const deleted = await withStore(opts, (store, domainId) => store.recordings.delete(domainId, id));
        if (deleted === undefined) throw new NotFoundError("recording", id);
        const path = recordingPath(root, deleted.file);
        if (path !== undefined) await rm(path, { force: true });
        if (opts.json) process.stdout.write(`${JSON.stringify({ deleted: deleted.id })}\n`);
        else
          process.stdout.write(`recording ${deleted.id} (${deleted.caller} → ${deleted.callee}) deleted\n`);
      }),
    );
}
