/**
 * /api/v1/auto-attendant/time-conditions and /api/v1/auto-attendant/entries (issue 17): office
 * hours (a weekly schedule, holiday dates and an IANA time zone choosing the destination that
 * answers: in hours, out of hours, on a holiday), and the entry points that say which menu or
 * time condition answers an external line, a local user flagged "automatic attendant", or a
 * number. Every error names its field (`schedule[0].from`, `timeZone`, `inHours.target`).
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { destinationAt } from "../../services/auto-attendant/office-hours.js";
import {
  DESTINATION_KINDS,
  ENTRY_KINDS,
  type EntryKind,
  type NewTimeCondition,
  NotFoundError,
  type Store,
  type TimeConditionPatch,
  WEEKDAYS,
} from "../../store/index.js";
import { withIsoStamps } from "../../util/iso-time.js";
import { errorResponses } from "../errors.js";
import { Timestamp } from "../timestamps.js";

const Destination = Type.Object(
  {
    kind: Type.Enum(DESTINATION_KINDS, {
      description:
        "A menu, or at once a user, a number (dial plan), a group, a user's voicemail; or goodbye.",
    }),
    target: Type.String({ description: 'The menu, user or number; "" for hangup.' }),
  },
  { additionalProperties: false },
);

const OfficeHours = Type.Object(
  {
    days: Type.Array(Type.Enum(WEEKDAYS)),
    from: Type.String({ description: "HH:MM, local time; in hours from this minute." }),
    to: Type.String({ description: "HH:MM (24:00 = midnight); out of hours from this minute." }),
  },
  { additionalProperties: false },
);

const conditionFields = {
  name: Type.String({ description: "1-64 of letters, digits, '.', '_', '-'." }),
  timeZone: Type.String({ description: 'IANA time zone, e.g. "Asia/Shanghai" (default UTC).' }),
  schedule: Type.Array(OfficeHours, { description: "Office hours; default Monday to Friday 09:00-18:00." }),
  holidays: Type.Array(Type.String(), { description: '"YYYY-MM-DD" (that day) or "MM-DD" (every year).' }),
  inHours: Destination,
  outOfHours: Destination,
  holiday: Type.Union([Destination, Type.Null()], { description: "On a holiday; null = as out of hours." }),
};

export const TimeConditionItem = Type.Object(
  {
    id: Type.Integer(),
    ...conditionFields,
    createdAt: Timestamp("When it was created."),
    updatedAt: Timestamp("When it was last changed."),
  },
  { description: "A time condition (office hours)." },
);
const NewCondition = Type.Object(
  {
    name: conditionFields.name,
    timeZone: Type.Optional(conditionFields.timeZone),
    schedule: Type.Optional(conditionFields.schedule),
    holidays: Type.Optional(conditionFields.holidays),
    inHours: conditionFields.inHours,
    outOfHours: conditionFields.outOfHours,
    holiday: Type.Optional(conditionFields.holiday),
  },
  { additionalProperties: false },
);
const ConditionPatch = Type.Partial(Type.Object(conditionFields), { additionalProperties: false });
const Now = Type.Object({
  period: Type.Enum(["in-hours", "out-of-hours", "holiday"]),
  destination: Destination,
});

export const EntryItem = Type.Object(
  {
    id: Type.Integer(),
    kind: Type.Enum(ENTRY_KINDS, {
      description:
        "line: an external line's incoming calls; user: a user flagged auto-attendant; number: dialled.",
    }),
    key: Type.String({ description: "The line's account, the user's name, or the number." }),
    menu: Type.String({ description: 'The menu that answers; "" when a time condition chooses.' }),
    timeCondition: Type.String({ description: 'The time condition that chooses; "" when a menu answers.' }),
    createdAt: Timestamp("When it was created."),
    updatedAt: Timestamp("When it was last changed."),
  },
  { description: "An auto-attendant entry point." },
);
const EntryBody = Type.Object(
  { menu: Type.Optional(Type.String()), timeCondition: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
const EntryParams = Type.Object({ kind: Type.Enum(ENTRY_KINDS), key: Type.String() });
const NameParam = Type.Object({ name: Type.String() });

export interface AutoAttendantTimesOptions {
  store: Store;
  domainId: number;
  /** Wall-clock epoch milliseconds ("which destination answers now"). */
  now: () => number;
}

export const autoAttendantTimesRoutes: FastifyPluginAsyncTypebox<AutoAttendantTimesOptions> = async (
  app,
  { store, domainId, now },
) => {
  const repository = store.autoAttendant;
  const tags = ["auto-attendant"];
  const existing = async (name: string) => {
    const condition = await repository.timeCondition(domainId, name);
    if (condition === undefined) throw new NotFoundError("time condition", name);
    return condition;
  };

  app.get(
    "/auto-attendant/time-conditions",
    {
      schema: {
        operationId: "listTimeConditions",
        tags,
        summary: "The time conditions (office hours), by name",
        response: { 200: Type.Object({ items: Type.Array(TimeConditionItem) }), ...errorResponses(401) },
      },
    },
    async () => ({ items: (await repository.timeConditions(domainId)).map(withIsoStamps) }),
  );

  app.get(
    "/auto-attendant/time-conditions/:name",
    {
      schema: {
        operationId: "getTimeCondition",
        tags,
        summary: "One time condition",
        params: NameParam,
        response: { 200: TimeConditionItem, ...errorResponses(401, 404) },
      },
    },
    async (request) => withIsoStamps(await existing(request.params.name)),
  );

  app.get(
    "/auto-attendant/time-conditions/:name/now",
    {
      schema: {
        operationId: "getTimeConditionNow",
        tags,
        summary: "Whether it is in hours, out of hours or a holiday now, and which destination answers",
        params: NameParam,
        response: { 200: Now, ...errorResponses(401, 404) },
      },
    },
    async (request) => destinationAt(await existing(request.params.name), now()),
  );

  app.post(
    "/auto-attendant/time-conditions",
    {
      schema: {
        operationId: "createTimeCondition",
        tags,
        summary: "Add a time condition; its name is unique",
        body: NewCondition,
        response: { 201: TimeConditionItem, ...errorResponses(400, 401, 409) },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          withIsoStamps(await repository.createTimeCondition(domainId, request.body as NewTimeCondition)),
        ),
  );

  app.patch(
    "/auto-attendant/time-conditions/:name",
    {
      schema: {
        operationId: "updateTimeCondition",
        tags,
        summary: "Change a time condition",
        params: NameParam,
        body: ConditionPatch,
        response: { 200: TimeConditionItem, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) =>
      withIsoStamps(
        await repository.updateTimeCondition(
          domainId,
          request.params.name,
          request.body as TimeConditionPatch,
        ),
      ),
  );

  app.delete(
    "/auto-attendant/time-conditions/:name",
    {
      schema: {
        operationId: "deleteTimeCondition",
        tags,
        summary: "Remove a time condition (not one an entry point names)",
        params: NameParam,
        response: { 204: Type.Null({ description: "Deleted." }), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      if (!(await repository.deleteTimeCondition(domainId, request.params.name)))
        throw new NotFoundError("time condition", request.params.name);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/auto-attendant/entries",
    {
      schema: {
        operationId: "listAutoAttendantEntries",
        tags,
        summary: "The entry points: which menu or time condition answers a line, a user, a number",
        response: { 200: Type.Object({ items: Type.Array(EntryItem) }), ...errorResponses(401) },
      },
    },
    async () => ({ items: (await repository.entries(domainId)).map(withIsoStamps) }),
  );

  app.put(
    "/auto-attendant/entries/:kind/:key",
    {
      schema: {
        operationId: "setAutoAttendantEntry",
        tags,
        summary: "Set the entry point of a line, user or number: a menu or a time condition (exactly one)",
        params: EntryParams,
        body: EntryBody,
        response: { 200: EntryItem, ...errorResponses(400, 401) },
      },
    },
    async (request) =>
      withIsoStamps(
        await repository.setEntry(domainId, {
          kind: request.params.kind as EntryKind,
          key: request.params.key,
          ...request.body,
        }),
      ),
  );

  app.delete(
    "/auto-attendant/entries/:kind/:key",
    {
      schema: {
        operationId: "deleteAutoAttendantEntry",
        tags,
        summary: "Remove an entry point (a line or user then gets the default menu)",
        params: EntryParams,
        response: { 204: Type.Null({ description: "Deleted." }), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const { kind, key } = request.params;
      if (!(await repository.deleteEntry(domainId, kind as EntryKind, key)))
        throw new NotFoundError("auto-attendant entry", `${kind} ${key}`);
      return reply.code(204).send(null);
    },
  );
};
