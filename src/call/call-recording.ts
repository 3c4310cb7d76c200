/**
 * Call recording as the call engine meets it (issue 17): a CallMediaProvider in front of the
 * relay. Recording needs the media to pass through Parley ("Recording a relayed or direct-media
 * call anchors its media for the call's duration"), so when a call starts the recording service
 * (src/services/recording implements CallRecordingHook; the call layer never imports it) is asked
 * whether the call may be recorded by anyone's setting; if so the relay is asked for a session
 * with the `record` reason, and the call's media is wrapped: its answer starts (or arms) the
 * recording, its release stops it first and reports the recording's id, which the CDR links.
 */
import type { NewCallRecord } from "../store/cdr-model.js";
import type { Logger } from "../util/logger.js";
import type { CallSubject } from "./call-events.js";
import type { CallMedia, CallMediaProvider, CallMediaRequest, CallMediaStats } from "./call-media.js";
import type { CallerIdentity } from "./stages/context.js";
import type { Plan } from "./stages/plan.js";
import type { CallParty } from "./types.js";

/** What is known of a call when it starts: who calls, who may answer, through what. */
export interface RecordingRequest {
  readonly caller: CallerIdentity;
  /** The local users the call rings (the callee, a group's members); empty for a call out. */
  readonly callees: readonly CallParty[];
  /** The call goes out through a line or trunk that records its calls. */
  readonly carrierRecords: boolean;
}

/** One call that may be recorded, from its start to its end. */
export interface CallRecordingPlan {
  /** The call was answered (its media relayed): record now, or arm the in-call code. */
  answered(call: CallSubject, media: CallMedia): void;
  /** The call's media is released: stops any recording; returns the first recording's id, if any. */
  ended(): string | undefined;
}

export interface CallRecordingHook {
  /** A plan when the call may be recorded (its media is then relayed), else undefined. */
  prepare(callId: string, request: RecordingRequest): Promise<CallRecordingPlan | undefined>;
}

/** The recording side of a call's plan, for CallMediaRequest.recording (undefined: no phones). */
export function recordingRequest(caller: CallerIdentity, plan: Plan): RecordingRequest | undefined {
  // A media endpoint is Parley's own media: there is no conversation between phones to record.
  if (plan.next.kind !== "ring") return undefined;
  const set = plan.next.set;
  const callees = plan.outbound
    ? []
    : [set.callee, ...set.targets.flatMap((t) => (t.party === undefined ? [] : [t.party]))];
  return { caller, callees, carrierRecords: plan.recordCalls === true };
}

/** A CDR with its relay's figures and, when the call was recorded, its recording's id. */
export function withMediaStats(record: NewCallRecord, stats: CallMediaStats): NewCallRecord {
  const { recording, ...media } = stats;
  return recording === undefined
    ? { ...record, media: { ...media } }
    : { ...record, media: { ...media }, recording };
}

/** The relay with call recording in front of it. */
export function recordingMedia(
  relay: CallMediaProvider,
  prepare: CallRecordingHook["prepare"],
  logger: Logger,
): CallMediaProvider {
  return new RecordingMediaProvider(relay, { prepare }, logger);
}

export class RecordingMediaProvider implements CallMediaProvider {
  constructor(
    private readonly inner: CallMediaProvider,
    private readonly hook: CallRecordingHook,
    private readonly logger: Logger,
  ) {}

  async forCall(request: CallMediaRequest): Promise<CallMedia | undefined> {
    const plan =
      request.recording === undefined
        ? undefined
        : await this.hook.prepare(request.callId, request.recording).catch((error: unknown) => {
            this.logger.warn(
              { err: error, call: request.callId },
              "call recording: cannot tell whether to record",
            );
            return undefined;
          });
    const media = await this.inner.forCall(plan === undefined ? request : { ...request, record: true });
    return media === undefined || plan === undefined ? media : recorded(media, plan);
  }
}

/** The call's media, with the recording started at its answer and stopped before its release. */
function recorded(inner: CallMedia, plan: CallRecordingPlan): CallMedia {
  let id: string | undefined;
  let ended = false;
  let final: Promise<CallMediaStats> | undefined;
  return {
    sdp: (body, context) => inner.sdp(body, context),
    answered(call) {
      inner.answered(call);
      if (call !== undefined && !ended) plan.answered(call, inner);
    },
    stats: () => (id === undefined ? inner.stats() : { ...inner.stats(), recording: id }),
    onTimeout: (listener) => inner.onTimeout(listener),
    ...(inner.onDigit === undefined ? {} : { onDigit: (listener) => inner.onDigit?.(listener) }),
    ...(inner.holdMusic === undefined ? {} : { holdMusic: (held, on) => inner.holdMusic?.(held, on) }),
    ...(inner.waitingTone === undefined ? {} : { waitingTone: (party) => inner.waitingTone?.(party) }),
    ...(inner.record === undefined ? {} : { record: (options) => inner.record!(options) }),
    close() {
      // The recorder's stop goes to the worker before the session's release.
      if (!ended) {
        ended = true;
        id = plan.ended();
      }
      final ??= inner.close().then((stats) => (id === undefined ? stats : { ...stats, recording: id }));
      return final;
    },
  };
}
