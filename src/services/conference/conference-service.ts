/**
 * Conference rooms (issue 17; FEATURES.md section 6, "Conference room: `*6*room*password#`").
 * A caller joins a room three ways:
 * - `*6*room#` or `*6*room*PIN#` (the feature code; `*6` is the administrator's to change);
 * - the number of a configured room, dialled like any number (at "attempted", after the black
 *   and white lists and the hunt groups, as a hunt group's number is made dialable);
 * - a blind transfer (REFER) to `*6*room#`: the transferee is moved into the room, the
 *   transferor is released (as park does with `*70*n`).
 * A configured room (the store's conference rooms) has a PIN, a maximum of members, a moderator;
 * any other number is an ad-hoc room that lives while someone is in it (conference-member.ts).
 * The rooms in use are kept in LiveConferences for the API and the web UI.
 */
import type { CallSide } from "../../call/call-control.js";
import type { DetectionPointTable, PointContext, Verdict } from "../../call/detection-points.js";
import type { FinalStatus } from "../../call/media-endpoint.js";
import type { CallParty } from "../../call/types.js";
import type { MediaServer } from "../../media/media-server.js";
import type { SipMediaEndpoint } from "../../media/sip-media-endpoint.js";
import type { ConferenceRoom } from "../../store/conference-room-model.js";
import type { ConferenceRoomRepository } from "../../store/conference-room-repository.js";
import type { Logger } from "../../util/logger.js";
import type { FeatureCodeTable } from "../feature-codes.js";
import { addConferenceCode, CONFERENCE_CODE, CONFERENCE_SERVICE, joinOf } from "./ad-hoc-conference.js";
import { LiveConferences } from "./conference-live.js";
import { conferenceMember, type JoinRequest } from "./conference-member.js";

/** At "attempted": after the black and white lists (5) and the hunt groups (10). */
export const CONFERENCE_ROOM_ORDER = 11;
/** Rooms changed outside this process (`parley conference-rooms`) apply within this time. */
export const ROOMS_TTL_MS = 5000;

export interface ConferenceServiceOptions {
  readonly media: MediaServer;
  readonly repository: Pick<ConferenceRoomRepository, "rooms" | "onChange">;
  readonly logger: Logger;
  /** Someone entered or left a room, or started or stopped talking (the live view refreshes). */
  readonly onChange?: () => void;
  readonly now?: () => number;
}

export class ConferenceService {
  readonly live: LiveConferences;
  /** Each domain's configured rooms by number, read once and dropped on every change. */
  private readonly cache = new Map<number, { at: number; rooms: Promise<Map<string, ConferenceRoom>> }>();
  private readonly now: () => number;
  /**
   * Every domain's room numbers as last read, for a blind transfer to a room's own number (the
   * engine asks synchronously whether a number is a room; a domain's rooms are read at start and
   * again after each change or ROOMS_TTL_MS).
   */
  private readonly numbers = new Map<number, ReadonlySet<string>>();

  constructor(private readonly o: ConferenceServiceOptions) {
    this.live = new LiveConferences(o.onChange);
    this.now = o.now ?? Date.now;
    o.repository.onChange((domainId) => {
      this.cache.delete(domainId);
      this.rooms(domainId).catch(() => {});
    });
  }

  /** Reads a domain's rooms now, so transfers to their numbers work before any call to one. */
  async load(domainId: number): Promise<void> {
    await this.rooms(domainId);
  }

  /** Whether `number` is a configured room's in some domain (a transfer's target: blind REFER). */
  private claims(number: string): boolean {
    for (const domainId of this.numbers.keys()) this.rooms(domainId).catch(() => {}); // refresh when stale
    for (const numbers of this.numbers.values()) if (numbers.has(number)) return true;
    return false;
  }

  register(points: DetectionPointTable, features: FeatureCodeTable, code = CONFERENCE_CODE): () => void {
    const removals = [
      points.service(CONFERENCE_SERVICE, (context) => this.dialledCode(context)),
      points.transferService(CONFERENCE_SERVICE, (request) =>
        this.transferred(request.call, request.transferee, request.number, request.argument),
      ),
      points.decide(
        "attempted",
        "conference-room",
        (context) => this.dialledNumber(context),
        CONFERENCE_ROOM_ORDER,
      ),
      points.transferNumbers(CONFERENCE_SERVICE, (number) => this.claims(number)),
      addConferenceCode(features, code),
    ];
    return () => {
      for (const remove of removals) remove();
    };
  }

  /** A domain's configured rooms by number (read again after ROOMS_TTL_MS). */
  private rooms(domainId: number): Promise<Map<string, ConferenceRoom>> {
    const now = this.now();
    const cached = this.cache.get(domainId);
    if (cached !== undefined && now - cached.at < ROOMS_TTL_MS) return cached.rooms;
    const rooms = this.o.repository.rooms(domainId).then((list) => {
      this.numbers.set(domainId, new Set(list.map((r) => r.number)));
      return new Map(list.map((r) => [r.number, r]));
    });
    this.cache.set(domainId, { at: now, rooms });
    rooms.catch(() => this.cache.delete(domainId));
    return rooms;
  }

  /** The request and endpoint of a caller joining `number`. */
  private async endpointFor(
    domainId: number,
    number: string,
    pin: string | undefined,
    who: CallParty,
  ): Promise<SipMediaEndpoint> {
    const request: JoinRequest = {
      domainId,
      number,
      room: (await this.rooms(domainId)).get(number),
      pin,
      who: { user: who.user, displayName: who.displayName },
    };
    const deps = { media: this.o.media, live: this.live, now: this.now };
    return this.o.media.sipEndpoint(
      `parley:conference:${number}`,
      (context) => conferenceMember(deps, request, context),
      // Every member of a room must be on the mixer's one worker: the room's name picks it.
      { room: LiveConferences.key(domainId, number) },
    );
  }

  private verdict(context: PointContext, number: string, endpoint: SipMediaEndpoint, name: string): Verdict {
    return {
      kind: "endpoint",
      target: {
        party: {
          domainId: context.caller.domainId,
          user: context.dialed,
          displayName: name || `Conference ${number}`,
        },
        endpoint,
      },
    };
  }

  /** `*6*room#`, `*6*room*PIN#`. */
  private async dialledCode(context: PointContext & { readonly argument: string }): Promise<Verdict> {
    const join = joinOf(context.argument);
    if (join === undefined) return { kind: "refuse", code: "not-found" };
    const domainId = context.caller.domainId;
    const endpoint = await this.endpointFor(domainId, join.room, join.pin, context.caller);
    const name = (await this.rooms(domainId)).get(join.room)?.name ?? "";
    return this.verdict(context, join.room, endpoint, name);
  }

  /** A configured room's own number. */
  private async dialledNumber(context: PointContext): Promise<Verdict | undefined> {
    const domainId = context.caller.domainId;
    const room = (await this.rooms(domainId)).get(context.dialed);
    if (room === undefined) return undefined;
    const endpoint = await this.endpointFor(domainId, room.number, undefined, context.caller);
    return this.verdict(context, room.number, endpoint, room.name);
  }

  /**
   * A blind transfer to `*6*room#` or to a room's number: the transferee goes into the room, the
   * transferor is let go.
   */
  private async transferred(
    call: Parameters<Parameters<DetectionPointTable["transferService"]>[1]>[0]["call"],
    transferee: CallSide,
    number: string,
    argument: string,
  ): Promise<FinalStatus> {
    const join = joinOf(argument);
    if (join === undefined) return { status: 404, reason: "Not Found (conference rooms are 1-10 digits)" };
    const party = transferee === "caller" ? call.caller : call.callee;
    // A room's own number (no feature code) is a room only where it is configured.
    if (number === argument && !(await this.rooms(party.domainId)).has(join.room))
      return { status: 404, reason: "Not Found" };
    const endpoint = await this.endpointFor(party.domainId, join.room, join.pin, party);
    const other: CallSide = transferee === "caller" ? "callee" : "caller";
    const moved = await call.moveSides({
      [transferee]: { kind: "endpoint", endpoint },
      [other]: { kind: "leave" },
    } as Record<CallSide, { kind: "endpoint"; endpoint: SipMediaEndpoint } | { kind: "leave" }>);
    if (!moved) {
      await endpoint.close();
      return { status: 500, reason: "Server Internal Error (the call could not be moved)" };
    }
    this.o.logger.info(
      { call: call.id, room: join.room, party: party.user },
      "transferred into a conference room",
    );
    return { status: 200, reason: "OK" };
  }
}
