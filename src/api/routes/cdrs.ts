/** /api/v1/cdrs and /api/v1/cdrs.csv: call detail records of the default domain, filtered and paged. */
import { Readable } from "node:stream";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Static } from "typebox";
import {
  type CallRecord,
  type CdrFilter,
  cdrCsvHeader,
  cdrCsvRow,
  type FieldError,
  type Store,
  utcDate,
} from "../../store/index.js";
import { isoTime, isoTimeOrUndefined, parseIsoTime } from "../../util/iso-time.js";
import { ApiError, errorResponses } from "../errors.js";
import { type Cdr, CdrFilterQuery, CdrListQuery, CdrPage, CsvBody } from "../schemas.js";

export interface CdrsRoutesOptions {
  store: Store;
  domainId: number;
  /** Wall-clock epoch milliseconds, for the export's file name. */
  now: () => number;
}

/** ISO 8601 parsing lives with the one timestamp format (util/iso-time.ts). */
export { parseIsoTime };

type FilterQuery = Static<typeof CdrFilterQuery>;

/** The store's filter for a query; `from`/`to` that parse but name no real time are 400s. */
export function toFilter(domainId: number, query: FilterQuery): CdrFilter {
  const errors: FieldError[] = [];
  const time = (field: "from" | "to"): number | undefined => {
    const text = query[field];
    if (text === undefined) return undefined;
    const ms = parseIsoTime(text);
    if (ms === undefined) errors.push({ field, message: "must be a real date and time (ISO 8601)" });
    return ms;
  };
  const filter: CdrFilter = { domainId, from: time("from"), to: time("to") };
  if (errors.length > 0) {
    throw new ApiError(
      "validation",
      `invalid querystring: ${errors.map((e) => `${e.field}: ${e.message}`).join("; ")}`,
      errors,
    );
  }
  if (query.number !== undefined) filter.number = query.number;
  if (query.disposition !== undefined) filter.disposition = query.disposition;
  return filter;
}

export function toCdr(r: CallRecord): Static<typeof Cdr> {
  return {
    id: r.id,
    domainId: r.domainId,
    callId: r.callId,
    caller: r.caller,
    callerName: r.callerName,
    dialed: r.dialed,
    callee: r.callee,
    startedAt: isoTime(r.startedAt),
    answeredAt: isoTimeOrUndefined(r.answeredAt),
    endedAt: isoTime(r.endedAt),
    duration: r.duration,
    talkTime: r.talkTime,
    hangupCause: r.hangupCause,
    disposition: r.disposition,
    sipStatus: r.sipStatus,
    sipReason: r.sipReason,
    legs: r.legs.map((leg) => ({
      role: leg.role,
      peer: leg.peer,
      callId: leg.callId,
      status: leg.status,
      startedAt: isoTime(leg.startedAt),
      answeredAt: isoTimeOrUndefined(leg.answeredAt),
      endedAt: isoTime(leg.endedAt),
      ...(leg.forwardedBy === undefined ? {} : { forwardedBy: leg.forwardedBy }),
    })),
    media: r.media,
    ...(r.recording === undefined ? {} : { recording: r.recording }),
    ...(r.card === undefined ? {} : { card: r.card }),
    ...(r.charge === undefined ? {} : { charge: r.charge }),
  };
}

/** Bytes gathered before a chunk goes to the socket. */
const CSV_CHUNK = 64 * 1024;

/** The header, then the rows in chunks, read from the store a batch at a time. */
async function* csvChunks(records: AsyncIterable<CallRecord>): AsyncGenerator<string> {
  let chunk = cdrCsvHeader();
  for await (const record of records) {
    chunk += cdrCsvRow(record);
    if (chunk.length >= CSV_CHUNK) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk !== "") yield chunk;
}

export const cdrsRoutes: FastifyPluginAsyncTypebox<CdrsRoutesOptions> = async (
  app,
  { store, domainId, now },
) => {
  app.get(
    "/cdrs",
    {
      schema: {
        operationId: "listCdrs",
        tags: ["cdrs"],
        summary: "Call detail records, newest first, filtered and a page at a time",
        querystring: CdrListQuery,
        response: { 200: CdrPage, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const { offset, limit } = request.query;
      const page = await store.cdrs.list({ ...toFilter(domainId, request.query), offset, limit });
      return { items: page.items.map(toCdr), total: page.total, offset, limit };
    },
  );

  app.get(
    "/cdrs.csv",
    {
      schema: {
        operationId: "exportCdrsCsv",
        tags: ["cdrs"],
        summary: "Every matching call detail record as CSV (RFC 4180), newest first, streamed",
        description:
          "Columns: id, call_id, domain_id, caller, caller_name, dialed, callee, start, answer, end " +
          "(ISO 8601 UTC), duration (s, start to end), disposition, sip_status, sip_reason, legs " +
          "(JSON, times ISO 8601), talk_time (s, answer to end; 0 unanswered), hangup_cause, card (the " +
          "calling card that paid; empty on other calls), charge (what it was charged, decimal). The same " +
          "columns as the daily files written when `cdrCsvDir` is set.",
        querystring: CdrFilterQuery,
        response: {
          200: {
            description: "CSV with a header row, sent as an attachment `cdrs-YYYY-MM-DD.csv`.",
            content: { "text/csv": { schema: CsvBody } },
          },
          ...errorResponses(400, 401),
        },
      },
    },
    async (request, reply) => {
      const filter = toFilter(domainId, request.query);
      const body = Readable.from(csvChunks(store.cdrs.iterate(filter)), { objectMode: false });
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="cdrs-${utcDate(now())}.csv"`)
        .send(body);
    },
  );
};
