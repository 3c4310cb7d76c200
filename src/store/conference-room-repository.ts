/**
 * Configured conference rooms (migration 008), per domain, on SQLite, MySQL/MariaDB and
 * PostgreSQL. A room is addressed by its number. Every write validates first (a ValidationError
 * names each bad field) and maps a duplicate key to a ConflictError.
 */
import type { Kysely, Selectable } from "kysely";
import type { ConferenceRoomsTable } from "./conference-room-migration.js";
import {
  CONFERENCE_DEFAULTS,
  type ConferenceRoom,
  type ConferenceRoomPatch,
  type NewConferenceRoom,
  validateConferenceRoom,
} from "./conference-room-model.js";
import { emergencyNumberError } from "./emergency-repository.js";
import { NotFoundError, unique, ValidationError } from "./errors.js";
import type { Database } from "./schema.js";

export interface ConferenceRoomRepository {
  /** A domain's rooms, by number. */
  rooms(domainId: number): Promise<ConferenceRoom[]>;
  room(domainId: number, number: string): Promise<ConferenceRoom | undefined>;
  create(domainId: number, input: NewConferenceRoom): Promise<ConferenceRoom>;
  update(domainId: number, number: string, patch: ConferenceRoomPatch): Promise<ConferenceRoom>;
  /** Resolves to whether the room existed. */
  delete(domainId: number, number: string): Promise<boolean>;
  /** Called after every write through this repository (the service's cache). */
  onChange(listener: (domainId: number) => void): void;
}

type RoomDatabase = Database & { conference_rooms: ConferenceRoomsTable };

function toRoom(r: Selectable<ConferenceRoomsTable>): ConferenceRoom {
  return {
    id: Number(r.id),
    domainId: Number(r.domain_id),
    number: r.number,
    name: r.name,
    pin: r.pin,
    maxMembers: Number(r.max_members),
    moderatorPin: r.moderator_pin,
    waitForModerator: Number(r.wait_for_moderator) === 1,
    locked: Number(r.locked) === 1,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** The columns a room's fields are written to. */
function columns(r: Omit<ConferenceRoom, "id" | "domainId" | "createdAt" | "updatedAt">) {
  return {
    number: r.number,
    name: r.name,
    pin: r.pin,
    max_members: r.maxMembers,
    moderator_pin: r.moderatorPin,
    wait_for_moderator: r.waitForModerator ? 1 : 0,
    locked: r.locked ? 1 : 0,
  };
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export class KyselyConferenceRoomRepository implements ConferenceRoomRepository {
  private readonly listeners: Array<(domainId: number) => void> = [];
  private readonly db: Kysely<RoomDatabase>;

  constructor(
    db: Kysely<Database>,
    private readonly now: () => number,
  ) {
    this.db = db.withTables<{ conference_rooms: ConferenceRoomsTable }>();
  }

  onChange(listener: (domainId: number) => void): void {
    this.listeners.push(listener);
  }

  private changed(domainId: number): void {
    for (const listener of this.listeners) listener(domainId);
  }

  async rooms(domainId: number): Promise<ConferenceRoom[]> {
    const rows = await this.db
      .selectFrom("conference_rooms")
      .selectAll()
      .where("domain_id", "=", domainId)
      .orderBy("number")
      .execute();
    return rows.map(toRoom);
  }

  async room(domainId: number, number: string): Promise<ConferenceRoom | undefined> {
    const row = await this.db
      .selectFrom("conference_rooms")
      .selectAll()
      .where("domain_id", "=", domainId)
      .where("number", "=", number)
      .executeTakeFirst();
    return row ? toRoom(row) : undefined;
  }

  /**
   * A room's number must not be a local user's or a hunt group's: dialling the number joins the
   * room, so the user or the group could no longer be called by it.
   */
  private async check(domainId: number, room: NewConferenceRoom): Promise<void> {
    const errors = validateConferenceRoom(room);
    if (errors.length === 0) {
      const user = await this.db
        .selectFrom("users")
        .select("id")
        .where("domain_id", "=", domainId)
        .where("name", "=", room.number)
        .executeTakeFirst();
      if (user !== undefined) errors.push({ field: "number", message: "is a local user's number" });
      const group = await this.db
        .selectFrom("hunt_groups")
        .select("id")
        .where("domain_id", "=", domainId)
        .where("number", "=", room.number)
        .executeTakeFirst();
      if (group !== undefined) errors.push({ field: "number", message: "is a hunt group's number" });
      const emergency = await emergencyNumberError(this.db, domainId, room.number, "number");
      if (emergency !== undefined) errors.push(emergency);
    }
    if (errors.length > 0) throw new ValidationError(errors);
  }

  async create(domainId: number, input: NewConferenceRoom): Promise<ConferenceRoom> {
    await this.check(domainId, input);
    const r = { ...CONFERENCE_DEFAULTS, ...definedOnly(input), number: input.number };
    const now = this.now();
    await unique("conference room", r.number, () =>
      this.db
        .insertInto("conference_rooms")
        .values({ domain_id: domainId, ...columns(r), created_at: now, updated_at: now })
        .execute(),
    );
    this.changed(domainId);
    // Read back by the unique key: MySQL has no RETURNING.
    return (await this.room(domainId, r.number))!;
  }

  async update(domainId: number, number: string, patch: ConferenceRoomPatch): Promise<ConferenceRoom> {
    const current = await this.room(domainId, number);
    if (!current) throw new NotFoundError("conference room", number);
    const next: ConferenceRoom = { ...current, ...definedOnly(patch) };
    await this.check(domainId, next);
    await unique("conference room", next.number, () =>
      this.db
        .updateTable("conference_rooms")
        .set({ ...columns(next), updated_at: this.now() })
        .where("domain_id", "=", domainId)
        .where("id", "=", current.id)
        .execute(),
    );
    this.changed(domainId);
    return (await this.room(domainId, next.number)) ?? next;
  }

  async delete(domainId: number, number: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("conference_rooms")
      .where("domain_id", "=", domainId)
      .where("number", "=", number)
      .executeTakeFirst();
    this.changed(domainId);
    return Number(result.numDeletedRows) > 0;
  }
}
