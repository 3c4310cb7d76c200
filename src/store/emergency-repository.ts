/**
 * The emergency numbers table (migration 011, issue 23), per domain, on SQLite, MySQL/MariaDB and
 * PostgreSQL. Numbers any local user may dial (routing/emergency.ts): no local extension may take
 * one (users, hunt groups and conference rooms ask emergencyNumberError before they are written),
 * and a number a local extension already has cannot become one.
 */
import type { Kysely, Selectable } from "kysely";
import { CHINESE_EMERGENCY_NUMBERS } from "../routing/emergency.js";
import { EMERGENCY_TABLE, type EmergencyNumbersTable } from "./emergency-migration.js";
import { type FieldError, NotFoundError, unique, ValidationError } from "./errors.js";
import type { Database } from "./schema.js";

export interface EmergencyNumberRecord {
  readonly number: string;
  /** The external line's account the number leaves on first; "" = the normal outbound routing. */
  readonly line: string;
  readonly description: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NewEmergencyNumber {
  readonly number: string;
  readonly line?: string;
  readonly description?: string;
}

export type EmergencyNumberPatch = Partial<Omit<NewEmergencyNumber, "number">>;

type EmergencyDatabase = Database & { emergency_numbers: EmergencyNumbersTable };

const NUMBER = /^[0-9*#+]{1,32}$/;
/** A system setting per domain: the languages whose defaults were added (once, so a removal stays). */
const SEEDED_SETTING = "emergencyNumbersSeeded";

function tables(db: Kysely<Database>): Kysely<EmergencyDatabase> {
  return db.withTables<{ emergency_numbers: EmergencyNumbersTable }>();
}

function toRecord(r: Selectable<EmergencyNumbersTable>): EmergencyNumberRecord {
  return {
    number: r.number,
    line: r.line,
    description: r.description,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** The words every refusal of an extension number uses (the wording). */
export function emergencyNumberMessage(number: string): string {
  return `${number} is an emergency number (emergency numbers table)`;
}

/** The domain's emergency numbers, by number (what the routing snapshot carries). */
export async function emergencyNumbersOf(
  db: Kysely<Database>,
  domainId: number,
): Promise<EmergencyNumberRecord[]> {
  const rows = await tables(db)
    .selectFrom(EMERGENCY_TABLE)
    .selectAll()
    .where("domain_id", "=", domainId)
    .orderBy("number")
    .execute();
  return rows.map(toRecord);
}

/** The error of a local extension (user, hunt group, conference room) taking an emergency number. */
export async function emergencyNumberError(
  db: Kysely<Database>,
  domainId: number,
  number: string,
  field: string,
): Promise<FieldError | undefined> {
  const row = await tables(db)
    .selectFrom(EMERGENCY_TABLE)
    .select("id")
    .where("domain_id", "=", domainId)
    .where("number", "=", number)
    .executeTakeFirst();
  return row === undefined ? undefined : { field, message: emergencyNumberMessage(number) };
}

/** Throws the ValidationError (field `name`) of a local user named as an emergency number. */
export async function refuseEmergencyNumber(
  db: Kysely<Database>,
  domainId: number,
  name: string,
): Promise<void> {
  const error = await emergencyNumberError(db, domainId, name, "name");
  if (error !== undefined) throw new ValidationError([error]);
}

export class EmergencyNumberRepository {
  private readonly db: Kysely<EmergencyDatabase>;

  constructor(
    db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {
    this.db = tables(db);
  }

  list(domainId: number): Promise<EmergencyNumberRecord[]> {
    return emergencyNumbersOf(this.db, domainId);
  }

  async get(domainId: number, number: string): Promise<EmergencyNumberRecord | undefined> {
    const row = await this.db
      .selectFrom(EMERGENCY_TABLE)
      .selectAll()
      .where("domain_id", "=", domainId)
      .where("number", "=", number)
      .executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  /** ValidationError (format, an unknown line, a local extension's number) or ConflictError. */
  async create(domainId: number, input: NewEmergencyNumber): Promise<EmergencyNumberRecord> {
    const line = input.line ?? "";
    const description = input.description ?? "";
    const errors = [...this.fieldErrors(input.number, line, description)];
    if (errors.length === 0) errors.push(...(await this.extensionErrors(domainId, input.number)));
    if (line !== "") errors.push(...(await this.lineErrors(domainId, line)));
    if (errors.length > 0) throw new ValidationError(errors);
    const now = this.now();
    await unique("emergency number", input.number, () =>
      this.db
        .insertInto(EMERGENCY_TABLE)
        .values({
          domain_id: domainId,
          number: input.number,
          line,
          description,
          created_at: now,
          updated_at: now,
        })
        .execute(),
    );
    return this.mustGet(domainId, input.number);
  }

  async update(
    domainId: number,
    number: string,
    patch: EmergencyNumberPatch,
  ): Promise<EmergencyNumberRecord> {
    const existing = await this.get(domainId, number);
    if (existing === undefined) throw new NotFoundError("emergency number", number);
    const line = patch.line ?? existing.line;
    const description = patch.description ?? existing.description;
    const errors = [...this.fieldErrors(number, line, description)];
    if (line !== "" && line !== existing.line) errors.push(...(await this.lineErrors(domainId, line)));
    if (errors.length > 0) throw new ValidationError(errors);
    await this.db
      .updateTable(EMERGENCY_TABLE)
      .set({ line, description, updated_at: this.now() })
      .where("domain_id", "=", domainId)
      .where("number", "=", number)
      .execute();
    return this.mustGet(domainId, number);
  }

  /** False when there was no such number. */
  async delete(domainId: number, number: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom(EMERGENCY_TABLE)
      .where("domain_id", "=", domainId)
      .where("number", "=", number)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /**
   * The Chinese defaults (110, 119, 120), added once per domain when the prompt language is
   * Chinese: a number the administrator removed later stays removed. Resolves to those added.
   * A number a local extension already has is left out (it would no longer reach the extension).
   */
  async seedLanguageDefaults(domainId: number, language: string): Promise<string[]> {
    if (language !== "zh") return [];
    const seeded = await this.db
      .selectFrom("system_settings")
      .select("value")
      .where("domain_id", "=", domainId)
      .where("name", "=", SEEDED_SETTING)
      .executeTakeFirst();
    const languages: unknown = seeded === undefined ? [] : JSON.parse(seeded.value);
    if (Array.isArray(languages) && languages.includes(language)) return [];
    const added: string[] = [];
    for (const number of CHINESE_EMERGENCY_NUMBERS) {
      if ((await this.get(domainId, number)) !== undefined) continue;
      if ((await this.extensionErrors(domainId, number)).length > 0) continue;
      const now = this.now();
      await this.db
        .insertInto(EMERGENCY_TABLE)
        .values({ domain_id: domainId, number, line: "", description: "", created_at: now, updated_at: now })
        .execute();
      added.push(number);
    }
    const value = JSON.stringify([...(Array.isArray(languages) ? languages : []), language]);
    if (seeded === undefined)
      await this.db
        .insertInto("system_settings")
        .values({ domain_id: domainId, name: SEEDED_SETTING, value, updated_at: this.now() })
        .execute();
    else
      await this.db
        .updateTable("system_settings")
        .set({ value, updated_at: this.now() })
        .where("domain_id", "=", domainId)
        .where("name", "=", SEEDED_SETTING)
        .execute();
    return added;
  }

  private async mustGet(domainId: number, number: string): Promise<EmergencyNumberRecord> {
    const record = await this.get(domainId, number);
    if (record === undefined) throw new NotFoundError("emergency number", number);
    return record;
  }

  private fieldErrors(number: string, line: string, description: string): FieldError[] {
    const errors: FieldError[] = [];
    if (typeof number !== "string" || !NUMBER.test(number))
      errors.push({ field: "number", message: "must be 1-32 of digits, *, #, +" });
    if (typeof line !== "string" || line.length > 128)
      errors.push({ field: "line", message: "must be an external line's account (at most 128 characters)" });
    if (typeof description !== "string" || description.length > 64)
      errors.push({ field: "description", message: "must be at most 64 characters" });
    return errors;
  }

  private async lineErrors(domainId: number, line: string): Promise<FieldError[]> {
    const row = await this.db
      .selectFrom("routing_config")
      .select("id")
      .where("domain_id", "=", domainId)
      .where("kind", "=", "line")
      .where("key", "=", line)
      .executeTakeFirst();
    return row === undefined ? [{ field: "line", message: `no external line "${line}"` }] : [];
  }

  /** A number a local user, hunt group or conference room has cannot become an emergency number. */
  private async extensionErrors(domainId: number, number: string): Promise<FieldError[]> {
    const taken = async (table: "users" | "hunt_groups" | "conference_rooms", column: "name" | "number") =>
      (await this.db
        .selectFrom(table as "users")
        .select("id")
        .where("domain_id", "=", domainId)
        .where(column as "name", "=", number)
        .executeTakeFirst()) !== undefined;
    const errors: FieldError[] = [];
    if (await taken("users", "name"))
      errors.push({ field: "number", message: `is local user ${number}'s number` });
    if (await taken("hunt_groups", "number"))
      errors.push({ field: "number", message: `is hunt group ${number}'s number` });
    if (await taken("conference_rooms", "number"))
      errors.push({ field: "number", message: `is conference room ${number}'s number` });
    return errors;
  }
}
