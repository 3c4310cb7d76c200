/**
 * Hunt groups and the hunt group detection table (migration 007), per domain, on SQLite,
 * MySQL/MariaDB and PostgreSQL. A group is addressed by its number; renumbering it carries its
 * detection records along, deleting it deletes them. Every write validates first (a
 * ValidationError names each bad field) and maps a duplicate key to a ConflictError.
 */
import type { Kysely, Selectable } from "kysely";
import { emergencyNumberError } from "./emergency-repository.js";
import { NotFoundError, unique, ValidationError } from "./errors.js";
import {
  definedOnly,
  HUNT_DEFAULTS,
  type HuntDetection,
  type HuntDetectionPatch,
  type HuntGroup,
  type HuntGroupPatch,
  type HuntNoAnswerAction,
  type HuntStrategy,
  type NewHuntDetection,
  type NewHuntGroup,
  validateHuntDetection,
  validateHuntGroup,
} from "./hunt-group-model.js";
import type { Database, HuntDetectionsTable, HuntGroupsTable } from "./schema.js";

export interface HuntGroupRepository {
  /** A domain's hunt groups, by number. */
  groups(domainId: number): Promise<HuntGroup[]>;
  group(domainId: number, number: string): Promise<HuntGroup | undefined>;
  createGroup(domainId: number, input: NewHuntGroup): Promise<HuntGroup>;
  updateGroup(domainId: number, number: string, patch: HuntGroupPatch): Promise<HuntGroup>;
  /** Deletes the group and its detection records; resolves to whether it existed. */
  deleteGroup(domainId: number, number: string): Promise<boolean>;
  /** A domain's detection records, by dial plan then called number. */
  detections(domainId: number): Promise<HuntDetection[]>;
  createDetection(domainId: number, input: NewHuntDetection): Promise<HuntDetection>;
  updateDetection(domainId: number, id: number, patch: HuntDetectionPatch): Promise<HuntDetection>;
  /** Resolves to whether the record existed. */
  deleteDetection(domainId: number, id: number): Promise<boolean>;
  /** Called after every write through this repository (the service's cache). */
  onChange(listener: (domainId: number) => void): void;
}

function toGroup(r: Selectable<HuntGroupsTable>): HuntGroup {
  let members: string[] = [];
  try {
    const parsed: unknown = JSON.parse(r.members);
    if (Array.isArray(parsed)) members = parsed.filter((m): m is string => typeof m === "string");
  } catch {
    // A row written by hand with broken JSON: a group with no members, still listed and editable.
  }
  return {
    id: Number(r.id),
    domainId: Number(r.domain_id),
    number: r.number,
    name: r.name,
    members,
    strategy: r.strategy as HuntStrategy,
    ringTime: Number(r.ring_time),
    noAnswer: r.no_answer as HuntNoAnswerAction,
    noAnswerTarget: r.no_answer_target,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function toDetection(r: Selectable<HuntDetectionsTable>): HuntDetection {
  return {
    id: Number(r.id),
    domainId: Number(r.domain_id),
    dialPlan: r.dial_plan,
    calledNumber: r.called_number,
    huntGroup: r.hunt_group,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function checked(errors: ReturnType<typeof validateHuntGroup>): void {
  if (errors.length > 0) throw new ValidationError(errors);
}

export class KyselyHuntGroupRepository implements HuntGroupRepository {
  private readonly listeners: Array<(domainId: number) => void> = [];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number,
  ) {}

  onChange(listener: (domainId: number) => void): void {
    this.listeners.push(listener);
  }

  private changed(domainId: number): void {
    for (const listener of this.listeners) listener(domainId);
  }

  async groups(domainId: number): Promise<HuntGroup[]> {
    const rows = await this.db
      .selectFrom("hunt_groups")
      .selectAll()
      .where("domain_id", "=", domainId)
      .orderBy("number")
      .execute();
    return rows.map(toGroup);
  }

  async group(domainId: number, number: string): Promise<HuntGroup | undefined> {
    const row = await this.db
      .selectFrom("hunt_groups")
      .selectAll()
      .where("domain_id", "=", domainId)
      .where("number", "=", number)
      .executeTakeFirst();
    return row ? toGroup(row) : undefined;
  }

  /**
   * A group's number must not be a local user's: the group is looked for before the dial plan,
   * so the user could never be called again.
   */
  private async checkGroup(domainId: number, group: NewHuntGroup): Promise<void> {
    const errors = validateHuntGroup(group);
    if (errors.length === 0) {
      const user = await this.db
        .selectFrom("users")
        .select("id")
        .where("domain_id", "=", domainId)
        .where("name", "=", group.number)
        .executeTakeFirst();
      if (user !== undefined) errors.push({ field: "number", message: "is a local user's number" });
      const emergency = await emergencyNumberError(this.db, domainId, group.number, "number");
      if (emergency !== undefined) errors.push(emergency);
    }
    checked(errors);
  }

  async createGroup(domainId: number, input: NewHuntGroup): Promise<HuntGroup> {
    await this.checkGroup(domainId, input);
    const g = { ...HUNT_DEFAULTS, ...definedOnly(input), number: input.number };
    const now = this.now();
    await unique("hunt group", g.number, () =>
      this.db
        .insertInto("hunt_groups")
        .values({
          domain_id: domainId,
          number: g.number,
          name: g.name,
          members: JSON.stringify(g.members),
          strategy: g.strategy,
          ring_time: g.ringTime,
          no_answer: g.noAnswer,
          no_answer_target: g.noAnswerTarget,
          created_at: now,
          updated_at: now,
        })
        .execute(),
    );
    this.changed(domainId);
    // Read back by the unique key: MySQL has no RETURNING.
    return (await this.group(domainId, g.number))!;
  }

  async updateGroup(domainId: number, number: string, patch: HuntGroupPatch): Promise<HuntGroup> {
    const current = await this.group(domainId, number);
    if (!current) throw new NotFoundError("hunt group", number);
    const next: HuntGroup = { ...current, ...definedOnly(patch) };
    await this.checkGroup(domainId, next);
    await unique("hunt group", next.number, () =>
      this.db.transaction().execute(async (tx) => {
        await tx
          .updateTable("hunt_groups")
          .set({
            number: next.number,
            name: next.name,
            members: JSON.stringify(next.members),
            strategy: next.strategy,
            ring_time: next.ringTime,
            no_answer: next.noAnswer,
            no_answer_target: next.noAnswerTarget,
            updated_at: this.now(),
          })
          .where("domain_id", "=", domainId)
          .where("id", "=", current.id)
          .execute();
        if (next.number !== number)
          await tx
            .updateTable("hunt_detections")
            .set({ hunt_group: next.number })
            .where("domain_id", "=", domainId)
            .where("hunt_group", "=", number)
            .execute();
      }),
    );
    this.changed(domainId);
    return (await this.group(domainId, next.number)) ?? next;
  }

  async deleteGroup(domainId: number, number: string): Promise<boolean> {
    const deleted = await this.db.transaction().execute(async (tx) => {
      await tx
        .deleteFrom("hunt_detections")
        .where("domain_id", "=", domainId)
        .where("hunt_group", "=", number)
        .execute();
      const result = await tx
        .deleteFrom("hunt_groups")
        .where("domain_id", "=", domainId)
        .where("number", "=", number)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
    this.changed(domainId);
    return deleted;
  }

  async detections(domainId: number): Promise<HuntDetection[]> {
    const rows = await this.db
      .selectFrom("hunt_detections")
      .selectAll()
      .where("domain_id", "=", domainId)
      .orderBy("dial_plan")
      .orderBy("called_number")
      .execute();
    return rows.map(toDetection);
  }

  private async detection(domainId: number, id: number): Promise<HuntDetection | undefined> {
    const row = await this.db
      .selectFrom("hunt_detections")
      .selectAll()
      .where("domain_id", "=", domainId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? toDetection(row) : undefined;
  }

  /** Validates a whole detection record, the group it names included. */
  private async checkDetection(domainId: number, d: NewHuntDetection): Promise<void> {
    const errors = validateHuntDetection(d);
    if (errors.length === 0 && (await this.group(domainId, d.huntGroup)) === undefined)
      errors.push({ field: "huntGroup", message: `no hunt group has the number "${d.huntGroup}"` });
    checked(errors);
  }

  async createDetection(domainId: number, input: NewHuntDetection): Promise<HuntDetection> {
    const d = { ...definedOnly(input), dialPlan: input.dialPlan ?? "default" } as Required<NewHuntDetection>;
    await this.checkDetection(domainId, d);
    const now = this.now();
    await unique("hunt group detection", `${d.dialPlan} ${d.calledNumber}`, () =>
      this.db
        .insertInto("hunt_detections")
        .values({
          domain_id: domainId,
          dial_plan: d.dialPlan,
          called_number: d.calledNumber,
          hunt_group: d.huntGroup,
          created_at: now,
          updated_at: now,
        })
        .execute(),
    );
    this.changed(domainId);
    const row = await this.db
      .selectFrom("hunt_detections")
      .selectAll()
      .where("domain_id", "=", domainId)
      .where("dial_plan", "=", d.dialPlan)
      .where("called_number", "=", d.calledNumber)
      .executeTakeFirstOrThrow();
    return toDetection(row);
  }

  async updateDetection(domainId: number, id: number, patch: HuntDetectionPatch): Promise<HuntDetection> {
    const current = await this.detection(domainId, id);
    if (!current) throw new NotFoundError("hunt group detection", String(id));
    const next = { ...current, ...definedOnly(patch) };
    await this.checkDetection(domainId, next);
    await unique("hunt group detection", `${next.dialPlan} ${next.calledNumber}`, () =>
      this.db
        .updateTable("hunt_detections")
        .set({
          dial_plan: next.dialPlan,
          called_number: next.calledNumber,
          hunt_group: next.huntGroup,
          updated_at: this.now(),
        })
        .where("domain_id", "=", domainId)
        .where("id", "=", id)
        .execute(),
    );
    this.changed(domainId);
    return (await this.detection(domainId, id)) ?? next;
  }

  async deleteDetection(domainId: number, id: number): Promise<boolean> {
    const result = await this.db
      .deleteFrom("hunt_detections")
      .where("domain_id", "=", domainId)
      .where("id", "=", id)
      .executeTakeFirst();
    this.changed(domainId);
    return Number(result.numDeletedRows) > 0;
  }
}
