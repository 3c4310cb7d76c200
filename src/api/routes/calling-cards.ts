/**
 * /api/v1/calling-cards (issue 18; FEATURES.md section 6, "Calling card"): prepaid cards (number,
 * PIN, balance, currency, expiry, enabled), addressed by number; an atomic credit (a top-up while
 * the card is in a call loses none of its charges); and the cards as CSV: GET
 * /calling-cards.csv exports them, POST /calling-cards.csv imports (creates or changes by number,
 * all rows or none, each error naming its row and field). The calling card script reads and
 * debits the same rows (store.callingCards). Every error names its field.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { cardsFromCsv, cardsToCsv } from "../../store/calling-card-csv.js";
import {
  type CallingCard,
  type CallingCardPatch,
  cardExpired,
  NotFoundError,
  type Store,
  ValidationError,
} from "../../store/index.js";
import { toUnits } from "../../store/money.js";
import { isoTime, parseIsoTime } from "../../util/iso-time.js";
import { errorResponses } from "../errors.js";
import { CsvBody } from "../schemas.js";
import { acceptCsv, csvImportBody, csvText, sendCsv } from "./calling-card-csv-body.js";
import {
  CallingCardItem,
  type CallingCardItemType,
  CallingCardPatchBody,
  CreditBody,
  ImportResultBody,
  NewCallingCardBody,
} from "./calling-card-schemas.js";

export interface CallingCardsRoutesOptions {
  store: Store;
  domainId: number;
  /** Wall-clock epoch milliseconds (expiry, the export's file name). */
  now: () => number;
}

const NumberParam = Type.Object({ number: Type.String() });

export function toCardItem(card: CallingCard, now: number): CallingCardItemType {
  return {
    id: card.id,
    number: card.number,
    pin: card.pin,
    balance: card.balance,
    currency: card.currency,
    expiresAt: card.expiresAt === undefined ? null : isoTime(card.expiresAt),
    enabled: card.enabled,
    expired: cardExpired(card, now),
    createdAt: isoTime(card.createdAt),
    updatedAt: isoTime(card.updatedAt),
  };
}

/** The API body as the store's patch: the expiry's ISO time becomes epoch milliseconds. */
function toPatch<T extends { expiresAt?: string | null }>(body: T): Omit<T, "expiresAt"> & CallingCardPatch {
  const { expiresAt, ...rest } = body;
  if (expiresAt === undefined || expiresAt === null)
    return { ...rest, ...(expiresAt === null ? { expiresAt } : {}) };
  const ms = parseIsoTime(expiresAt);
  if (ms === undefined)
    throw new ValidationError([
      { field: "expiresAt", message: "must be an ISO 8601 time with its zone, or null" },
    ]);
  return { ...rest, expiresAt: ms };
}

export const callingCardsRoutes: FastifyPluginAsyncTypebox<CallingCardsRoutesOptions> = async (
  app,
  { store, domainId, now },
) => {
  const cards = store.callingCards;
  acceptCsv(app);
  const item = (card: CallingCard) => toCardItem(card, now());
  const found = async (number: string) => {
    const card = await cards.findCard(domainId, number);
    if (card === undefined) throw new NotFoundError("calling card", number);
    return card;
  };

  app.get(
    "/calling-cards",
    {
      schema: {
        operationId: "listCallingCards",
        tags: ["calling-cards"],
        summary: "The calling cards, by number",
        response: { 200: Type.Object({ items: Type.Array(CallingCardItem) }), ...errorResponses(401) },
      },
    },
    async () => ({ items: (await cards.cards(domainId)).map(item) }),
  );

  app.get(
    "/calling-cards.csv",
    {
      schema: {
        operationId: "exportCallingCardsCsv",
        tags: ["calling-cards"],
        summary: "The calling cards as CSV (RFC 4180), by number",
        description:
          "Columns: number, pin, balance (decimal), currency, expires_at (ISO 8601 UTC; empty = never), enabled (yes/no): what POST /calling-cards.csv reads back.",
        response: {
          200: {
            description: "CSV with a header row, sent as an attachment `calling-cards-YYYY-MM-DD.csv`.",
            content: { "text/csv": { schema: CsvBody } },
          },
          ...errorResponses(401),
        },
      },
    },
    async (_request, reply) =>
      sendCsv(reply, "calling-cards", now(), cardsToCsv(await cards.cards(domainId))),
  );

  app.post(
    "/calling-cards.csv",
    {
      schema: {
        operationId: "importCallingCardsCsv",
        tags: ["calling-cards"],
        summary:
          "Import calling cards from CSV: each row creates or changes the card of its number, all or none",
        description:
          'The columns of the export, in any order; only `number` is required (a new card needs `pin` too). A column left out keeps a card\'s value (a new card takes the default). Errors name the row (the header is row 1) and the field: `row 3.balance`. Send `text/csv`, or JSON `{ "csv": "..." }`.',
        body: csvImportBody,
        response: { 200: ImportResultBody, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const read = cardsFromCsv(csvText(request.body));
      if (!read.ok) throw new ValidationError(read.errors);
      return cards.importCards(domainId, read.rows);
    },
  );

  app.get(
    "/calling-cards/:number",
    {
      schema: {
        operationId: "getCallingCard",
        tags: ["calling-cards"],
        summary: "One calling card",
        params: NumberParam,
        response: { 200: CallingCardItem, ...errorResponses(401, 404) },
      },
    },
    async (request) => item(await found(request.params.number)),
  );

  app.post(
    "/calling-cards",
    {
      schema: {
        operationId: "createCallingCard",
        tags: ["calling-cards"],
        summary: "Add a calling card; its number is unique",
        body: NewCallingCardBody,
        response: { 201: CallingCardItem, ...errorResponses(400, 401, 409) },
      },
    },
    async (request, reply) => {
      const { number, pin, ...rest } = toPatch(request.body);
      return reply
        .code(201)
        .send(item(await cards.createCard(domainId, { ...rest, number, pin: pin ?? "" })));
    },
  );

  app.patch(
    "/calling-cards/:number",
    {
      schema: {
        operationId: "updateCallingCard",
        tags: ["calling-cards"],
        summary: "Change a calling card",
        params: NumberParam,
        body: CallingCardPatchBody,
        response: { 200: CallingCardItem, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) => item(await cards.updateCard(domainId, request.params.number, toPatch(request.body))),
  );

  app.post(
    "/calling-cards/:number/credit",
    {
      schema: {
        operationId: "creditCallingCard",
        tags: ["calling-cards"],
        summary: "Add to a card's balance, atomically (charges of calls in progress all stay)",
        params: NumberParam,
        body: CreditBody,
        response: { 200: CallingCardItem, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const units = toUnits(request.body.amount, true);
      if (units === undefined)
        throw new ValidationError([{ field: "amount", message: "must have at most 4 decimal places" }]);
      await cards.credit(domainId, request.params.number, units);
      return item(await found(request.params.number));
    },
  );

  app.delete(
    "/calling-cards/:number",
    {
      schema: {
        operationId: "deleteCallingCard",
        tags: ["calling-cards"],
        summary: "Remove a calling card (a call on it goes on, charges fail at the next increment)",
        params: NumberParam,
        response: { 204: Type.Null({ description: "Deleted." }), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      if (!(await cards.deleteCard(domainId, request.params.number)))
        throw new NotFoundError("calling card", request.params.number);
      return reply.code(204).send(null);
    },
  );
};
