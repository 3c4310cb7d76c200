/**
 * /api/v1/recordings (issue 17: "recordings are linked from the CDR, listed, played and downloaded
 * in the web UI and the API"): the list, newest first, filtered and paged as the CDRs are; a
 * recording's WAV (8 kHz 16-bit PCM, streamed; `?download=true` makes it an attachment); and its
 * deletion (row and file). A CDR's `recording` is the id these routes take.
 */
import { createReadStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import type { CallRecording, FieldError, Store } from "../../store/index.js";
import { ApiError, errorResponses } from "../errors.js";
import { parseIsoTime } from "./cdrs.js";

export interface RecordingsRoutesOptions {
  store: Store;
  domainId: number;
  /** The recordings folder (`<dataDir>/recordings`): files are relative to it. */
  root: string;
}

export const RecordingItem = Type.Object(
  {
    id: Type.String({ description: "The recording's id (a CDR's `recording`)." }),
    callId: Type.String({ description: "The id of the recorded call (its CDR's `callId`)." }),
    caller: Type.String({ description: "The calling number." }),
    callee: Type.String({ description: "The party that answered." }),
    startedAt: Type.String({ format: "date-time", description: "The answer, or the in-call code." }),
    durationSeconds: Type.Number({ minimum: 0, description: "Length of the audio, seconds (ms precision)." }),
    bytes: Type.Integer({ minimum: 0, description: "Size of the WAV file." }),
    channels: Type.Integer({
      minimum: 1,
      maximum: 2,
      description: "1: both directions mixed; 2: the caller left, the callee right.",
    }),
  },
  { description: "A call recording: 8 kHz 16-bit linear PCM WAV." },
);

export const RecordingPage = Type.Object({
  items: Type.Array(RecordingItem, { description: "Newest first." }),
  total: Type.Integer({ description: "Matching recordings in all pages." }),
  offset: Type.Integer(),
  limit: Type.Integer(),
});

const RecordingQuery = Type.Object({
  from: Type.Optional(Type.String({ description: "Recordings started at or after (ISO 8601)." })),
  to: Type.Optional(Type.String({ description: "Recordings started before (ISO 8601)." })),
  number: Type.Optional(Type.String({ description: "The caller or the callee, exactly." })),
  offset: Type.Integer({ minimum: 0, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
});
const RecordingId = Type.Object({
  id: Type.String({ pattern: "^[\\w.-]{1,80}$", description: "The recording's id." }),
});
const AudioQuery = Type.Object({
  download: Type.Optional(Type.Boolean({ description: "Sent as an attachment (a file download)." })),
});

/** The WAV, streamed from its file (a long call is tens of megabytes). */
const audioResponse = {
  description: "The recording's WAV.",
  content: { "audio/wav": { schema: Type.Unsafe<Readable>({ contentEncoding: "binary" }) } },
};

function item(r: CallRecording) {
  return {
    id: r.id,
    callId: r.callId,
    caller: r.caller,
    callee: r.callee,
    startedAt: new Date(r.startedAt).toISOString(),
    durationSeconds: r.durationMs / 1000,
    bytes: r.bytes,
    channels: r.channels,
  };
}

/** The absolute path of a stored file, never outside the recordings folder. */
function pathOf(root: string, file: string): string | undefined {
  if (!/^calls\/\d{4}\/\d{2}\/\d{2}\/[\w.-]+\.wav$/.test(file) || file.includes("..")) return undefined;
  return `${root}/${file}`;
}

export const recordingsRoutes: FastifyPluginAsyncTypebox<RecordingsRoutesOptions> = async (
  app,
  { store, domainId, root },
) => {
  async function found(id: string): Promise<CallRecording> {
    const r = await store.recordings.get(domainId, id);
    if (r === undefined) throw new ApiError("not_found", `no recording ${id}`);
    return r;
  }

  app.get(
    "/recordings",
    {
      schema: {
        operationId: "listRecordings",
        tags: ["recordings"],
        summary: "Call recordings, newest first, by time and number, paged",
        querystring: RecordingQuery,
        response: { 200: RecordingPage, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const q = request.query;
      const errors: FieldError[] = [];
      const time = (field: "from" | "to") => {
        const text = q[field];
        const ms = text === undefined ? undefined : parseIsoTime(text);
        if (text !== undefined && ms === undefined)
          errors.push({ field, message: "must be a real date and time (ISO 8601)" });
        return ms;
      };
      const from = time("from");
      const to = time("to");
      if (errors.length > 0)
        throw new ApiError(
          "validation",
          `invalid querystring: ${errors.map((e) => `${e.field}: ${e.message}`).join("; ")}`,
          errors,
        );
      const page = await store.recordings.list({
        domainId,
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        ...(q.number === undefined ? {} : { number: q.number }),
        offset: q.offset,
        limit: q.limit,
      });
      return { items: page.items.map(item), total: page.total, offset: q.offset, limit: q.limit };
    },
  );

  app.get(
    "/recordings/:id",
    {
      schema: {
        operationId: "getRecording",
        tags: ["recordings"],
        summary: "One call recording's figures",
        params: RecordingId,
        response: { 200: RecordingItem, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => item(await found(request.params.id)),
  );

  app.get(
    "/recordings/:id/audio",
    {
      schema: {
        operationId: "getRecordingAudio",
        tags: ["recordings"],
        summary: "A call recording's WAV, to play or (download=true) to save",
        params: RecordingId,
        querystring: AudioQuery,
        response: { 200: audioResponse, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const r = await found(request.params.id);
      const path = pathOf(root, r.file);
      const size =
        path === undefined
          ? undefined
          : await stat(path).then(
              (s) => s.size,
              () => undefined,
            );
      if (path === undefined || size === undefined)
        throw new ApiError("not_found", `recording ${r.id} has no audio file`);
      const name = `recording-${r.caller}-${r.callee}-${r.id}.wav`.replace(/[^\w.-]/g, "_");
      reply
        .type("audio/wav")
        .header("content-length", size)
        .header(
          "content-disposition",
          `${request.query.download === true ? "attachment" : "inline"}; filename="${name}"`,
        );
      return reply.send(createReadStream(path));
    },
  );

  app.delete(
    "/recordings/:id",
    {
      schema: {
        operationId: "deleteRecording",
        tags: ["recordings"],
        summary: "Delete a call recording: its file and its row (the CDR keeps its id)",
        params: RecordingId,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const r = await store.recordings.delete(domainId, request.params.id);
      if (r === undefined) throw new ApiError("not_found", `no recording ${request.params.id}`);
      const path = pathOf(root, r.file);
      if (path !== undefined) await rm(path, { force: true });
      return reply.code(204).send(null);
    },
  );
};
