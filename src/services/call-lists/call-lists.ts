/**
 * The black and white list service (issue 16; FEATURES.md section 6): at the "attempted" detection
 * point, before any routing, a call the list blocks ends with the configured answer (603 Decline
 * by default) and leaves a CDR (the engine records every refusal of an attempted call, disposition
 * by status: "failed" for 603 and 403, "busy" for 486, "no-answer" for 480). Matching rules are in
 * matching.ts.
 *
 * The records of each domain are cached here and read again on every change made through this
 * object (the API), so a change applies to the next call without a restart.
 */
import type { DetectionPointTable, PointContext, Verdict } from "../../call/detection-points.js";
import type { CallStatusCode } from "../../core/status-catalogue.js";
import {
  type CallListPatch,
  type CallListRecord,
  type ListRepository,
  type NewCallListRecord,
  NotFoundError,
  type SystemSettingsRepository,
  ValidationError,
} from "../../store/index.js";
import type { Logger } from "../../util/logger.js";
import { decide } from "./matching.js";

/** The SIP statuses a blocked call may get, each a catalogue code. */
export const BLOCK_RESPONSES = {
  603: "list-declined",
  403: "list-forbidden",
  486: "list-busy",
  480: "list-unavailable",
} as const satisfies Record<number, CallStatusCode>;
export type BlockResponse = keyof typeof BLOCK_RESPONSES;
export const DEFAULT_BLOCK_RESPONSE: BlockResponse = 603;

/** The list's settings (a system setting per domain, changed at run time). */
export interface CallListSettings {
  /** The status a blocked call gets. */
  response: BlockResponse;
}

const SETTINGS_NAME = "callLists";

/** The lists run before every other service at "attempted": they bar the door. */
export const CALL_LISTS_ORDER = 5;

export interface CallListsOptions {
  readonly repository: ListRepository;
  readonly settings: SystemSettingsRepository;
  /** [0, 1), Math.random by default; tests seed it. */
  readonly random?: () => number;
  /** Calls the list never blocks: a local user's call to an emergency number (issue 23). */
  readonly exempt?: (context: PointContext) => Promise<boolean>;
  readonly logger: Logger;
}

function isBlockResponse(value: unknown): value is BlockResponse {
  return typeof value === "number" && Object.hasOwn(BLOCK_RESPONSES, value);
}

interface DomainLists {
  records: CallListRecord[];
  settings: CallListSettings;
}

export class CallLists {
  private readonly domains = new Map<number, Promise<DomainLists>>();
  private readonly random: () => number;

  constructor(private readonly o: CallListsOptions) {
    this.random = o.random ?? Math.random;
  }

  /** Attaches the list at "attempted"; returns the removal. */
  register(points: DetectionPointTable): () => void {
    return points.decide("attempted", "call-lists", (context) => this.verdict(context), CALL_LISTS_ORDER);
  }

  /** The verdict for one call: a refusal when the list blocks it, undefined otherwise. */
  async verdict(context: PointContext): Promise<Verdict | undefined> {
    const { records, settings } = await this.lists(context.caller.domainId);
    if (records.length === 0) return undefined;
    const call = {
      caller: context.caller.user,
      anonymous: context.anonymous === true,
      called: context.dialed,
    };
    const decision = decide(records, call, this.random);
    if (decision.kind !== "blocked") return undefined;
    if ((await this.o.exempt?.(context)) === true) return undefined;
    this.o.logger.info(
      {
        caller: call.anonymous ? "anonymous" : call.caller,
        dialed: call.called,
        record: `${decision.record.callerPrefix} ${decision.record.calledPrefix}`,
      },
      "call blocked by the black and white list",
    );
    return { kind: "refuse", code: BLOCK_RESPONSES[settings.response] };
  }

  async list(domainId: number): Promise<CallListRecord[]> {
    return (await this.lists(domainId)).records;
  }

  async create(domainId: number, input: NewCallListRecord): Promise<CallListRecord> {
    return this.changed(domainId, this.o.repository.createCallRecord(domainId, input));
  }

  async update(domainId: number, id: number, patch: CallListPatch): Promise<CallListRecord> {
    return this.changed(domainId, this.o.repository.updateCallRecord(domainId, id, patch));
  }

  /** Throws NotFoundError when there is no such record. */
  async remove(domainId: number, id: number): Promise<void> {
    const existed = await this.changed(domainId, this.o.repository.deleteCallRecord(domainId, id));
    if (!existed) throw new NotFoundError("call list record", String(id));
  }

  async settings(domainId: number): Promise<CallListSettings> {
    return (await this.lists(domainId)).settings;
  }

  /** Throws ValidationError naming `response` when it is not one of BLOCK_RESPONSES. */
  async configure(domainId: number, settings: CallListSettings): Promise<CallListSettings> {
    if (!isBlockResponse(settings.response)) {
      const allowed = Object.keys(BLOCK_RESPONSES).join(", ");
      throw new ValidationError([{ field: "response", message: `must be one of ${allowed}` }]);
    }
    await this.changed(
      domainId,
      this.o.settings.put(domainId, SETTINGS_NAME, { response: settings.response }),
    );
    return this.settings(domainId);
  }

  /** A write, then the domain's cache is read again (even when the write failed half-way). */
  private async changed<T>(domainId: number, write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      this.domains.delete(domainId);
    }
  }

  private lists(domainId: number): Promise<DomainLists> {
    let loaded = this.domains.get(domainId);
    if (loaded === undefined) {
      loaded = this.load(domainId);
      this.domains.set(domainId, loaded);
      // A failed read is tried again on the next call rather than cached.
      const mine = loaded;
      mine.catch(() => {
        if (this.domains.get(domainId) === mine) this.domains.delete(domainId);
      });
    }
    return loaded;
  }

  private async load(domainId: number): Promise<DomainLists> {
    const [records, stored] = await Promise.all([
      this.o.repository.callRecords(domainId),
      this.o.settings.get(domainId, SETTINGS_NAME),
    ]);
    const response = (stored as { response?: unknown } | undefined)?.response;
    return { records, settings: { response: isBlockResponse(response) ? response : DEFAULT_BLOCK_RESPONSE } };
  }
}
