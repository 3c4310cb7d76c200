/**
 * /api/v1/calling-card-rates (issue 18): what calling card calls cost, by the called number's
 * prefix (the longest wins; "" matches any number): a one-time charge on answer, a per-minute
 * price, the first and the later billing increments (60/6 s by default). Addressed by id (a
 * prefix may be ""). GET /calling-card-rates.csv exports them, POST imports (creates or changes
 * by prefix, all rows or none, each error naming its row and field). Every error names its field.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { ratesFromCsv, ratesToCsv } from "../../store/calling-card-csv.js";
import { type CallingCardRate, NotFoundError, type Store, ValidationError } from "../../store/index.js";
import { withIsoStamps } from "../../util/iso-time.js";
import { errorResponses } from "../errors.js";
import { CsvBody } from "../schemas.js";
import { acceptCsv, csvImportBody, csvText, sendCsv } from "./calling-card-csv-body.js";
import {
  CallingCardRateItem,
  CallingCardRatePatchBody,
  ImportResultBody,
  NewCallingCardRateBody,
} from "./calling-card-schemas.js";

export interface CallingCardRatesRoutesOptions {
  store: Store;
  domainId: number;
  /** Wall-clock epoch milliseconds (the export's file name). */
  now: () => number;
}

const IdParam = Type.Object({ id: Type.Integer() });

function toRateItem(rate: CallingCardRate) {
  const { domainId: _domain, ...rest } = withIsoStamps(rate);
  return rest;
}

export const callingCardRatesRoutes: FastifyPluginAsyncTypebox<CallingCardRatesRoutesOptions> = async (
  app,
  { store, domainId, now },
) => {
  const cards = store.callingCards;
  acceptCsv(app);

  app.get(
    "/calling-card-rates",
    {
      schema: {
        operationId: "listCallingCardRates",
        tags: ["calling-cards"],
        summary: "The calling card rates, by prefix",
        response: { 200: Type.Object({ items: Type.Array(CallingCardRateItem) }), ...errorResponses(401) },
      },
    },
    async () => ({ items: (await cards.rates(domainId)).map(toRateItem) }),
  );

  app.get(
    "/calling-card-rates.csv",
    {
      schema: {
        operationId: "exportCallingCardRatesCsv",
        tags: ["calling-cards"],
        summary: "The calling card rates as CSV (RFC 4180), by prefix",
        description:
          "Columns: prefix, connect_charge, per_minute (decimals), first_increment, increment (seconds), description: what POST /calling-card-rates.csv reads back.",
        response: {
          200: {
            description: "CSV with a header row, sent as an attachment `calling-card-rates-YYYY-MM-DD.csv`.",
            content: { "text/csv": { schema: CsvBody } },
          },
          ...errorResponses(401),
        },
      },
    },
    async (_request, reply) =>
      sendCsv(reply, "calling-card-rates", now(), ratesToCsv(await cards.rates(domainId))),
  );

  app.post(
    "/calling-card-rates.csv",
    {
      schema: {
        operationId: "importCallingCardRatesCsv",
        tags: ["calling-cards"],
        summary:
          "Import calling card rates from CSV: each row creates or changes the rate of its prefix, all or none",
        description:
          'The columns of the export, in any order; only `prefix` is required (a new rate needs `per_minute` too). A column left out keeps a rate\'s value. Errors name the row (the header is row 1) and the field: `row 3.perMinute`. Send `text/csv`, or JSON `{ "csv": "..." }`.',
        body: csvImportBody,
        response: { 200: ImportResultBody, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const read = ratesFromCsv(csvText(request.body));
      if (!read.ok) throw new ValidationError(read.errors);
      return cards.importRates(domainId, read.rows);
    },
  );

  app.get(
    "/calling-card-rates/:id",
    {
      schema: {
        operationId: "getCallingCardRate",
        tags: ["calling-cards"],
        summary: "One calling card rate",
        params: IdParam,
        response: { 200: CallingCardRateItem, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const rate = await cards.findRate(domainId, request.params.id);
      if (rate === undefined) throw new NotFoundError("calling card rate", String(request.params.id));
      return toRateItem(rate);
    },
  );

  app.post(
    "/calling-card-rates",
    {
      schema: {
        operationId: "createCallingCardRate",
        tags: ["calling-cards"],
        summary: "Add a calling card rate; its prefix is unique",
        body: NewCallingCardRateBody,
        response: { 201: CallingCardRateItem, ...errorResponses(400, 401, 409) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(toRateItem(await cards.createRate(domainId, request.body))),
  );

  app.patch(
    "/calling-card-rates/:id",
    {
      schema: {
        operationId: "updateCallingCardRate",
        tags: ["calling-cards"],
        summary: "Change a calling card rate (for the next call; calls in progress keep theirs)",
        params: IdParam,
        body: CallingCardRatePatchBody,
        response: { 200: CallingCardRateItem, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) => toRateItem(await cards.updateRate(domainId, request.params.id, request.body)),
  );

  app.delete(
    "/calling-card-rates/:id",
    {
      schema: {
        operationId: "deleteCallingCardRate",
        tags: ["calling-cards"],
        summary: "Remove a calling card rate",
        params: IdParam,
        response: { 204: Type.Null({ description: "Deleted." }), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      if (!(await cards.deleteRate(domainId, request.params.id)))
        throw new NotFoundError("calling card rate", String(request.params.id));
      return reply.code(204).send(null);
    },
  );
};
