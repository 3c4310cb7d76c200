/**
 * /api/v1/conference-rooms (issue 17; FEATURES.md section 6, "Conference room"): the configured
 * rooms (number, name, PIN, maximum members, moderator PIN, waiting for the moderator, locked),
 * addressed by number, and the rooms in use now: who is in each, since when, muted, talking; the
 * administrator mutes or unmutes a member, or removes it (its call is hung up). Changes apply to
 * the next caller, without a restart. Every error names its field.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type Static, Type } from "typebox";
import { NotFoundError, type Store } from "../../store/index.js";
import { withIsoStamps } from "../../util/iso-time.js";
import { errorResponses } from "../errors.js";
import { Timestamp } from "../timestamps.js";

/** A member of a room in use, as the conference service reports it. */
export interface ConferenceMemberLive {
  readonly id: string;
  readonly user: string;
  readonly displayName: string;
  /** Epoch milliseconds. */
  readonly since: number;
  readonly muted: boolean;
  readonly talking: boolean;
  readonly moderator: boolean;
  readonly joined: boolean;
}

/** The rooms in use (services/conference/conference-live.ts's LiveConferences implements it). */
export interface ConferencesLive {
  list(
    domainId: number,
  ): ReadonlyArray<{ readonly number: string; readonly members: readonly ConferenceMemberLive[] }>;
  /** A room's members; undefined when nobody is in it. */
  members(domainId: number, number: string): readonly ConferenceMemberLive[] | undefined;
  /** False when the member is not in the room. */
  mute(domainId: number, number: string, id: string, muted: boolean): Promise<boolean>;
  /** Hangs the member's call up; false when it is not in the room. */
  remove(domainId: number, number: string, id: string): boolean;
}

const roomFields = {
  number: Type.String({
    description: "1-10 digits: `*6*<number>#` joins the room, and so does dialling the number.",
  }),
  name: Type.String({ maxLength: 64 }),
  pin: Type.String({ description: 'Digits a caller enters to join (up to 16; "" = none).' }),
  maxMembers: Type.Integer({ description: "At most this many members at once (1-100, default 5)." }),
  moderatorPin: Type.String({ description: 'Digits that join as the moderator ("" = no moderator).' }),
  waitForModerator: Type.Boolean({ description: "Members hear music until a moderator is in the room." }),
  locked: Type.Boolean({ description: "Nobody new may join." }),
};

export const ConferenceRoomItem = Type.Object(
  {
    id: Type.Integer(),
    ...roomFields,
    members: Type.Integer({ minimum: 0, description: "Live: how many callers are in the room now." }),
    createdAt: Timestamp("When it was created."),
    updatedAt: Timestamp("When it was last changed."),
  },
  { description: "A configured conference room." },
);

const NewRoom = Type.Object(
  {
    number: roomFields.number,
    name: Type.Optional(roomFields.name),
    pin: Type.Optional(roomFields.pin),
    maxMembers: Type.Optional(roomFields.maxMembers),
    moderatorPin: Type.Optional(roomFields.moderatorPin),
    waitForModerator: Type.Optional(roomFields.waitForModerator),
    locked: Type.Optional(roomFields.locked),
  },
  { additionalProperties: false },
);
const RoomPatch = Type.Partial(Type.Object(roomFields), { additionalProperties: false });

export const ConferenceMemberItem = Type.Object(
  {
    id: Type.String({ description: "The member's id in the room (for mute and remove)." }),
    user: Type.String({ description: "The caller's user or number." }),
    displayName: Type.String({ description: 'Its display name; "" when none.' }),
    since: Type.String({ format: "date-time", description: "When it entered the room." }),
    seconds: Type.Integer({ minimum: 0, description: "Seconds in the room." }),
    muted: Type.Boolean({ description: "What it says is not heard." }),
    talking: Type.Boolean({ description: "It is heard now (the mixer's talker detection)." }),
    moderator: Type.Boolean({ description: "It joined with the moderator PIN." }),
    joined: Type.Boolean({
      description: "In the conversation (false while entering the PIN or waiting for the moderator).",
    }),
  },
  { description: "A member of a room in use." },
);
export type ConferenceMemberItemType = Static<typeof ConferenceMemberItem>;

export const ConferenceLiveRoom = Type.Object(
  {
    number: Type.String(),
    name: Type.String({ description: 'The configured room\'s name; "" for an ad-hoc room.' }),
    configured: Type.Boolean({ description: "A configured room (false: an ad-hoc one, `*6*room#`)." }),
    maxMembers: Type.Optional(Type.Integer({ description: "The configured room's maximum." })),
    members: Type.Array(ConferenceMemberItem, { description: "In order of arrival." }),
  },
  { description: "A room in use." },
);

const NumberParam = Type.Object({ number: Type.String() });
const MemberParam = Type.Object({ number: Type.String(), id: Type.String() });
const MuteBody = Type.Object({ muted: Type.Boolean() }, { additionalProperties: false });

export function toMemberItem(m: ConferenceMemberLive, now: number): ConferenceMemberItemType {
  return {
    id: m.id,
    user: m.user,
    displayName: m.displayName,
    since: new Date(m.since).toISOString(),
    seconds: Math.max(0, Math.floor((now - m.since) / 1000)),
    muted: m.muted,
    talking: m.talking,
    moderator: m.moderator,
    joined: m.joined,
  };
}

export interface ConferenceRoomsRoutesOptions {
  store: Store;
  domainId: number;
  live: ConferencesLive;
  now: () => number;
}

export const conferenceRoomsRoutes: FastifyPluginAsyncTypebox<ConferenceRoomsRoutesOptions> = async (
  app,
  { store, domainId, live, now },
) => {
  const repository = store.conferenceRooms;
  const withLive = <R extends { number: string; createdAt: number; updatedAt: number }>(room: R) => ({
    ...withIsoStamps(room),
    members: live.members(domainId, room.number)?.length ?? 0,
  });

  app.get(
    "/conference-rooms",
    {
      schema: {
        operationId: "listConferenceRooms",
        tags: ["conference"],
        summary: "The configured conference rooms, by number, with how many are in each now",
        response: { 200: Type.Object({ items: Type.Array(ConferenceRoomItem) }), ...errorResponses(401) },
      },
    },
    async () => ({ items: (await repository.rooms(domainId)).map(withLive) }),
  );

  app.get(
    "/conference-rooms/live",
    {
      schema: {
        operationId: "listLiveConferenceRooms",
        tags: ["conference"],
        summary: "The rooms in use now (configured and ad hoc), each with its members and talkers",
        response: { 200: Type.Object({ items: Type.Array(ConferenceLiveRoom) }), ...errorResponses(401) },
      },
    },
    async () => {
      const configured = new Map((await repository.rooms(domainId)).map((r) => [r.number, r]));
      const at = now();
      return {
        items: live.list(domainId).map((room) => {
          const config = configured.get(room.number);
          return {
            number: room.number,
            name: config?.name ?? "",
            configured: config !== undefined,
            ...(config === undefined ? {} : { maxMembers: config.maxMembers }),
            members: room.members.map((m) => toMemberItem(m, at)),
          };
        }),
      };
    },
  );

  app.get(
    "/conference-rooms/:number",
    {
      schema: {
        operationId: "getConferenceRoom",
        tags: ["conference"],
        summary: "One configured conference room",
        params: NumberParam,
        response: { 200: ConferenceRoomItem, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const room = await repository.room(domainId, request.params.number);
      if (room === undefined) throw new NotFoundError("conference room", request.params.number);
      return withLive(room);
    },
  );

  app.post(
    "/conference-rooms",
    {
      schema: {
        operationId: "createConferenceRoom",
        tags: ["conference"],
        summary: "Add a conference room; its number is unique and not a user's or a hunt group's",
        body: NewRoom,
        response: { 201: ConferenceRoomItem, ...errorResponses(400, 401, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(withLive(await repository.create(domainId, request.body))),
  );

  app.patch(
    "/conference-rooms/:number",
    {
      schema: {
        operationId: "updateConferenceRoom",
        tags: ["conference"],
        summary: "Change a conference room (for the next caller; members in it stay)",
        params: NumberParam,
        body: RoomPatch,
        response: { 200: ConferenceRoomItem, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (request) => withLive(await repository.update(domainId, request.params.number, request.body)),
  );

  app.delete(
    "/conference-rooms/:number",
    {
      schema: {
        operationId: "deleteConferenceRoom",
        tags: ["conference"],
        summary: "Remove a conference room (members in it stay until they hang up)",
        params: NumberParam,
        response: { 204: Type.Null({ description: "Deleted." }), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      if (!(await repository.delete(domainId, request.params.number)))
        throw new NotFoundError("conference room", request.params.number);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/conference-rooms/:number/members",
    {
      schema: {
        operationId: "listConferenceMembers",
        tags: ["conference"],
        summary: "Who is in a room now: since when, muted, talking, moderator",
        params: NumberParam,
        response: {
          200: Type.Object({ items: Type.Array(ConferenceMemberItem) }),
          ...errorResponses(401, 404),
        },
      },
    },
    async (request) => {
      const { number } = request.params;
      const members = live.members(domainId, number);
      // A configured room with nobody in it has no members; any other number is no room at all.
      if (members === undefined && (await repository.room(domainId, number)) === undefined)
        throw new NotFoundError("conference room", number);
      const at = now();
      return { items: (members ?? []).map((m) => toMemberItem(m, at)) };
    },
  );

  app.post(
    "/conference-rooms/:number/members/:id/mute",
    {
      schema: {
        operationId: "muteConferenceMember",
        tags: ["conference"],
        summary: "Mute (true) or unmute (false) a member: the others stop or start hearing it",
        params: MemberParam,
        body: MuteBody,
        response: { 200: ConferenceMemberItem, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const { number, id } = request.params;
      if (!(await live.mute(domainId, number, id, request.body.muted)))
        throw new NotFoundError("conference member", `${number}/${id}`);
      const member = live.members(domainId, number)?.find((m) => m.id === id);
      if (member === undefined) throw new NotFoundError("conference member", `${number}/${id}`);
      return toMemberItem(member, now());
    },
  );

  app.delete(
    "/conference-rooms/:number/members/:id",
    {
      schema: {
        operationId: "removeConferenceMember",
        tags: ["conference"],
        summary: "Remove a member from a room: its call is hung up",
        params: MemberParam,
        response: { 204: Type.Null({ description: "Removed." }), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const { number, id } = request.params;
      if (!live.remove(domainId, number, id)) throw new NotFoundError("conference member", `${number}/${id}`);
      return reply.code(204).send(null);
    },
  );
};
