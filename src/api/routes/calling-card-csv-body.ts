/**
 * What the calling card routes share: the `text/csv` body parser of their import routes (a plugin
 * adds it to its own context only; JSON stays the only body elsewhere), the export's headers, and
 * the import body's schemas (CSV as text, or JSON `{ csv }` for clients that only send JSON).
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { Type } from "typebox";
import { utcDate } from "../../store/index.js";
import { ApiError } from "../errors.js";

/** An import this large is refused (413) before it is read: some 100 000 rows. */
export const MAX_CSV_BYTES = 8 * 1024 * 1024;

export function acceptCsv(app: FastifyInstance): void {
  app.addContentTypeParser("text/csv", { parseAs: "string", bodyLimit: MAX_CSV_BYTES }, (_req, body, done) =>
    done(null, String(body)),
  );
}

/** The import body's schemas by content type (Fastify validates each, the document lists both). */
export const csvImportBody = {
  content: {
    "text/csv": { schema: Type.String({ description: "CSV (RFC 4180) with a header row." }) },
    "application/json": {
      schema: Type.Object(
        { csv: Type.String({ description: "The CSV text, header row first." }) },
        { additionalProperties: false },
      ),
    },
  },
};

/** The CSV text of an import body, whichever way it came. */
export function csvText(body: unknown): string {
  if (typeof body === "string") return body;
  if (typeof body === "object" && body !== null && typeof (body as { csv?: unknown }).csv === "string")
    return (body as { csv: string }).csv;
  throw new ApiError("bad_request", "the body is no CSV");
}

/** Sends CSV text as the attachment `<name>-YYYY-MM-DD.csv`. */
export function sendCsv(reply: FastifyReply, name: string, now: number, text: string): FastifyReply {
  return reply
    .type("text/csv; charset=utf-8")
    .header("content-disposition", `attachment; filename="${name}-${utcDate(now)}.csv"`)
    .send(text);
}
