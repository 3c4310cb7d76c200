/**
 * Call recording (issue 17; FEATURES.md section 6): a call is recorded from its answer to its end
 * when its caller or its callee user records "always", or it comes in or goes out on a line or
 * trunk that records its calls. A user who records "on-demand" starts the recording during the
 * call with the feature code (`*1#` by default, SIP INFO or RFC 4733 through the relay), and
 * stops it with a second press; a third starts a new file. Either party's right counts, as
 * Asterisk's one-touch recording does.
 *
 * Recording needs the media in Parley: at "connect" (before the relay is asked) a call that may
 * be recorded, by anyone's setting, is relayed for its whole duration. The worker writes the WAV
 * (8 kHz 16-bit linear PCM, mono mix or caller left / callee right); a full disk or an unwritable
 * folder stops or prevents the recording with a logged warning, never the call. The finished
 * recording becomes a row (API, web UI, CLI) and the CDR links its first file.
 */
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { CallSubject } from "../../call/call-events.js";
import type { CallMedia, RecordedFile } from "../../call/call-media.js";
import type { CallRecordingHook, CallRecordingPlan, RecordingRequest } from "../../call/call-recording.js";
import type { DetectionPointTable } from "../../call/detection-points.js";
import type { CallParty } from "../../call/types.js";
import type { LocalUser, RecordingMode, RecordingRepository } from "../../store/index.js";
import type { Logger } from "../../util/logger.js";
import type { FeatureCodeTable } from "../feature-codes.js";
import { InCallCodes } from "../park/in-call-codes.js";
import type { StorageLimit } from "../storage/storage-limit.js";
import { recordingFile, recordingsRoot, sweepRecordings, writableFolder } from "./recording-files.js";

export const RECORD_CODE = "*1";
export const RECORD_SERVICE = "call-recording";
const DAY_MS = 86_400_000;

/** The recording code alone (feature-code-catalogue.ts lists it with no media). */
export function addRecordingCodes(features: FeatureCodeTable): Array<() => void> {
  return [
    features.add(RECORD_CODE, RECORD_SERVICE, {
      description: "Call recording on demand: dial *1# during a call to start recording it, again to stop",
    }),
  ];
}

export interface RecordingServiceOptions {
  readonly points: DetectionPointTable;
  readonly features: FeatureCodeTable;
  readonly users: {
    lookup(domainId: number, name: string): Promise<{ readonly user: LocalUser } | undefined>;
  };
  readonly repository: RecordingRepository;
  readonly dataDir: string;
  readonly channels: 1 | 2;
  /** Days a recording is kept; 0 = forever. */
  readonly retentionDays: number;
  readonly logger: Logger;
  readonly now?: () => number;
  /** A tenant's storage limit (issue 21): at it, calls go on unrecorded. */
  readonly storage?: StorageLimit;
}

export class RecordingService implements CallRecordingHook {
  readonly root: string;
  /** Why the folder cannot be written, while it cannot (checked at start and daily). */
  private unwritable: string | undefined;
  private readonly active = new Map<string, RecordedCall>();
  private readonly codes: InCallCodes;
  private readonly removals: Array<() => void>;
  private sweepTimer: NodeJS.Timeout | undefined;
  readonly now: () => number;

  constructor(readonly o: RecordingServiceOptions) {
    this.root = recordingsRoot(o.dataDir);
    this.now = o.now ?? Date.now;
    this.codes = new InCallCodes({
      features: o.features,
      service: RECORD_SERVICE,
      onCode: (call, by) => this.active.get(call.id)?.toggle(by),
    });
    this.removals = [
      o.points.notify("digit", "recording.in-call", (payload) => {
        if (this.active.has(payload.call.id)) this.codes.digit(payload);
      }),
      ...addRecordingCodes(o.features),
    ];
  }

  /** Checks the folder and sweeps expired recordings, then again every day. */
  async start(): Promise<void> {
    await this.daily();
    this.sweepTimer = setInterval(() => void this.daily(), DAY_MS);
    this.sweepTimer.unref();
  }

  stop(): void {
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    for (const remove of this.removals) remove();
  }

  private async daily(): Promise<void> {
    const was = this.unwritable;
    this.unwritable = await writableFolder(this.root);
    if (this.unwritable !== undefined && this.unwritable !== was)
      this.o.logger.warn(
        { folder: join(this.root, "calls"), reason: this.unwritable },
        "call recording: the folder is not writable; calls go on unrecorded",
      );
    else if (this.unwritable === undefined && was !== undefined)
      this.o.logger.info(
        { folder: join(this.root, "calls") },
        "call recording: the folder is writable again",
      );
    try {
      const n = await sweepRecordings(this.o.repository, this.root, this.o.retentionDays, this.now());
      if (n > 0)
        this.o.logger.info({ deleted: n, days: this.o.retentionDays }, "expired call recordings deleted");
    } catch (error) {
      this.o.logger.warn({ err: error }, "call recording: the retention sweep failed");
    }
  }

  async prepare(callId: string, r: RecordingRequest): Promise<CallRecordingPlan | undefined> {
    if (this.unwritable !== undefined || this.o.storage?.full()) return undefined;
    const forced = r.carrierRecords || r.caller.inbound?.recordCalls === true;
    const modes = await Promise.all(r.callees.map((p) => this.mode(p)));
    const callerMode = r.caller.user?.recording ?? "never";
    if (!forced && callerMode === "never" && modes.every((m) => m === "never")) return undefined;
    this.o.logger.debug({ call: callId, forced }, "call may be recorded: its media is relayed");
    return new RecordedCall(this, r, forced);
  }

  /** A local user's recording setting ("never" for anyone else). */
  async mode(party: CallParty): Promise<RecordingMode> {
    return (await this.o.users.lookup(party.domainId, party.user))?.user.recording ?? "never";
  }

  attach(callId: string, call: RecordedCall): void {
    this.active.set(callId, call);
  }

  detach(callId: string): void {
    this.active.delete(callId);
    this.codes.forget(callId);
  }

  /** Where a new recording goes; undefined (and a warning) when its folder cannot be made. */
  async file(id: string, startedAt: number): Promise<{ file: string; path: string } | undefined> {
    const file = recordingFile(id, startedAt);
    const path = join(this.root, file);
    try {
      await mkdir(dirname(path), { recursive: true });
      return { file, path };
    } catch (error) {
      this.o.logger.warn(
        { err: error, path },
        "call recording: cannot make its folder; the call goes on unrecorded",
      );
      return undefined;
    }
  }
}

/** One call that may be recorded: its answer starts or arms it, the code toggles it, its end stops it. */
class RecordedCall implements CallRecordingPlan {
  private call: CallSubject | undefined;
  private media: CallMedia | undefined;
  /** Who may start and stop it with the code. */
  private readonly onDemand = new Set<string>();
  private running:
    | { id: string; file: string; startedAt: number; stop(): Promise<RecordedFile | undefined> }
    | undefined;
  private starting = false;
  /** Recorded by someone's "always" or a recording line or trunk: the code cannot stop it. */
  private mandatory = false;
  private over = false;
  private segments = 0;
  private first: string | undefined;

  constructor(
    private readonly s: RecordingService,
    private readonly r: RecordingRequest,
    private readonly forced: boolean,
  ) {}

  answered(call: CallSubject, media: CallMedia): void {
    this.call = call;
    this.media = media;
    this.s.attach(call.id, this);
    const callerMode = Promise.resolve(this.r.caller.user?.recording ?? "never");
    // A call out has an outside number as its callee: only local users have a setting.
    const calleeMode =
      this.r.callees.length === 0 ? Promise.resolve("never" as const) : this.s.mode(call.callee);
    Promise.all([callerMode, calleeMode]).then(
      ([caller, callee]) => {
        if (caller === "on-demand" && this.r.caller.user !== undefined) this.onDemand.add(party(call.caller));
        if (callee === "on-demand") this.onDemand.add(party(call.callee));
        this.mandatory = this.forced || caller === "always" || callee === "always";
        if (this.mandatory) void this.start();
      },
      (error: unknown) =>
        this.s.o.logger.warn({ err: error, call: call.id }, "call recording: user lookup failed"),
    );
  }

  /** The recording code from one of the parties: start or stop, when that party may. */
  toggle(by: CallParty): void {
    if (!this.onDemand.has(party(by)) || this.mandatory) {
      this.s.o.logger.info(
        { call: this.call?.id, by: by.user },
        "call recording code ignored: no on-demand right, or the call is always recorded",
      );
      return;
    }
    if (this.running !== undefined) void this.finish();
    else void this.start();
  }

  ended(): string | undefined {
    this.over = true;
    if (this.call !== undefined) this.s.detach(this.call.id);
    if (this.running !== undefined) void this.finish();
    return this.first;
  }

  private async start(): Promise<void> {
    const call = this.call;
    const media = this.media;
    if (call === undefined || media?.record === undefined || this.starting || this.running || this.over)
      return;
    this.starting = true;
    try {
      this.segments++;
      const id = this.segments === 1 ? call.id : `${call.id}-${this.segments}`;
      const startedAt = this.s.now();
      const where = await this.s.file(id, startedAt);
      if (where === undefined) return;
      const run = await media.record({ path: where.path, channels: this.s.o.channels });
      if (!run.ok) {
        this.s.o.logger.warn(
          { call: call.id, error: run.error },
          "call recording could not start; the call goes on",
        );
        return;
      }
      this.running = { id, file: where.file, startedAt, stop: run.stop };
      this.first ??= id;
      this.s.o.logger.info({ call: call.id, recording: id, file: where.file }, "call recording started");
      // The call ended while the file was being opened.
      if (this.over) await this.finish();
    } catch (error) {
      this.s.o.logger.warn({ err: error, call: call.id }, "call recording could not start; the call goes on");
    } finally {
      this.starting = false;
    }
  }

  private async finish(): Promise<void> {
    const running = this.running;
    const call = this.call;
    if (running === undefined || call === undefined) return;
    this.running = undefined;
    const result = await running.stop();
    if (result?.error !== undefined)
      this.s.o.logger.warn(
        { call: call.id, recording: running.id, error: result.error },
        "call recording stopped early; the call went on",
      );
    try {
      await this.s.o.repository.insert({
        id: running.id,
        domainId: call.caller.domainId,
        callId: call.id,
        caller: call.caller.user,
        callee: call.callee.user,
        startedAt: running.startedAt,
        durationMs: result?.durationMs ?? this.s.now() - running.startedAt,
        bytes: result?.bytes ?? 0,
        channels: this.s.o.channels,
        file: running.file,
      });
      this.s.o.logger.info(
        { call: call.id, recording: running.id, ms: result?.durationMs },
        "call recording stopped",
      );
      this.s.o.storage?.stored();
    } catch (error) {
      this.s.o.logger.warn({ err: error, call: call.id }, "call recording: its row could not be stored");
    }
  }
}

function party(p: CallParty): string {
  return `${p.domainId}:${p.user}`;
}
