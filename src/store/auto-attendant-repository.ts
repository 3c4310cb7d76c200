/**
 * The auto-attendant's menus, time conditions and entry points (migration 009), per domain, on
 * SQLite, MySQL/MariaDB and PostgreSQL. Every write validates the whole record first and checks
 * what it names: a menu key or destination pointing at a user that does not exist, or at a menu
 * or time condition that does not, is refused with a ValidationError naming the field (issue 17:
 * "a menu pointing at a deleted user is refused on write"). A menu or time condition another
 * record names cannot be deleted or renamed; a duplicate name is a ConflictError.
 */
import type { Kysely } from "kysely";
import type { AutoAttendantTables } from "./auto-attendant-migration.js";
import {
  type AutoAttendantEntry,
  type AutoAttendantMenu,
  DEFAULT_MENU_DESCRIPTION,
  DEFAULT_MENU_NAME,
  type EntryKind,
  MENU_DEFAULTS,
  type MenuAction,
  type MenuFields,
  type MenuPatch,
  type NewEntry,
  type NewMenu,
  type NewTimeCondition,
  TIME_CONDITION_DEFAULTS,
  type TimeCondition,
  type TimeConditionFields,
  type TimeConditionPatch,
} from "./auto-attendant-model.js";
import { definedOnly, document, toEntry, toMenu, toTimeCondition } from "./auto-attendant-rows.js";
import { keyField, validateEntry, validateMenu, validateTimeCondition } from "./auto-attendant-validation.js";
import { type FieldError, NotFoundError, unique, ValidationError } from "./errors.js";
import type { Database } from "./schema.js";

export interface AutoAttendantRepository {
  menus(domainId: number): Promise<AutoAttendantMenu[]>;
  menu(domainId: number, name: string): Promise<AutoAttendantMenu | undefined>;
  createMenu(domainId: number, input: NewMenu): Promise<AutoAttendantMenu>;
  updateMenu(domainId: number, name: string, patch: MenuPatch): Promise<AutoAttendantMenu>;
  /** Resolves to whether it existed; refused (ValidationError) while something names it. */
  deleteMenu(domainId: number, name: string): Promise<boolean>;
  /** Creates the default menu when the domain has none; resolves to whether it did. */
  ensureDefaultMenu(domainId: number): Promise<boolean>;
  timeConditions(domainId: number): Promise<TimeCondition[]>;
  timeCondition(domainId: number, name: string): Promise<TimeCondition | undefined>;
  createTimeCondition(domainId: number, input: NewTimeCondition): Promise<TimeCondition>;
  updateTimeCondition(domainId: number, name: string, patch: TimeConditionPatch): Promise<TimeCondition>;
  deleteTimeCondition(domainId: number, name: string): Promise<boolean>;
  entries(domainId: number): Promise<AutoAttendantEntry[]>;
  entry(domainId: number, kind: EntryKind, key: string): Promise<AutoAttendantEntry | undefined>;
  /** Creates or replaces the entry point of (kind, key). */
  setEntry(domainId: number, input: NewEntry): Promise<AutoAttendantEntry>;
  deleteEntry(domainId: number, kind: EntryKind, key: string): Promise<boolean>;
  /** Called after every write through this repository (the service's cache). */
  onChange(listener: (domainId: number) => void): void;
}

type Db = Kysely<Database & AutoAttendantTables>;
type DocTable = "auto_attendant_menus" | "auto_attendant_time_conditions";

export class KyselyAutoAttendantRepository implements AutoAttendantRepository {
  private readonly listeners: Array<(domainId: number) => void> = [];
  private readonly db: Db;

  constructor(
    db: Kysely<Database>,
    private readonly now: () => number,
  ) {
    this.db = db.withTables<AutoAttendantTables>();
  }

  onChange(listener: (domainId: number) => void): void {
    this.listeners.push(listener);
  }

  private changed(domainId: number): void {
    for (const listener of this.listeners) listener(domainId);
  }

  // --- menus ---

  async menus(domainId: number): Promise<AutoAttendantMenu[]> {
    const rows = await this.db
      .selectFrom("auto_attendant_menus")
      .selectAll()
      .where("domain_id", "=", domainId)
      .orderBy("name")
      .execute();
    return rows.map(toMenu);
  }

  async menu(domainId: number, name: string): Promise<AutoAttendantMenu | undefined> {
    const row = await this.db
      .selectFrom("auto_attendant_menus")
      .selectAll()
      .where("domain_id", "=", domainId)
      .where("name", "=", name)
      .executeTakeFirst();
    return row ? toMenu(row) : undefined;
  }

  async createMenu(domainId: number, input: NewMenu): Promise<AutoAttendantMenu> {
    const menu: MenuFields = { ...MENU_DEFAULTS, ...definedOnly(input), name: input.name };
    await this.checkMenu(domainId, menu);
    await this.insertDocument("auto_attendant_menus", "auto-attendant menu", domainId, menu);
    this.changed(domainId);
    return (await this.menu(domainId, menu.name))!;
  }

  async updateMenu(domainId: number, name: string, patch: MenuPatch): Promise<AutoAttendantMenu> {
    const current = await this.menu(domainId, name);
    if (!current) throw new NotFoundError("auto-attendant menu", name);
    const next: AutoAttendantMenu = { ...current, ...definedOnly(patch) };
    await this.checkMenu(domainId, next);
    if (next.name !== name) await this.checkUnused(domainId, "menu", name, "name");
    await this.updateDocument("auto_attendant_menus", "auto-attendant menu", domainId, current.id, next);
    this.changed(domainId);
    return (await this.menu(domainId, next.name))!;
  }

  async deleteMenu(domainId: number, name: string): Promise<boolean> {
    if (name === DEFAULT_MENU_NAME && (await this.menu(domainId, name)) !== undefined)
      throw new ValidationError([{ field: "name", message: "the default menu cannot be deleted" }]);
    await this.checkUnused(domainId, "menu", name, "name");
    return this.deleteDocument("auto_attendant_menus", domainId, name);
  }

  async ensureDefaultMenu(domainId: number): Promise<boolean> {
    if ((await this.menu(domainId, DEFAULT_MENU_NAME)) !== undefined) return false;
    await this.createMenu(domainId, {
      name: DEFAULT_MENU_NAME,
      description: DEFAULT_MENU_DESCRIPTION,
    }).catch(async (error: unknown) => {
      // Another process created it meanwhile.
      if ((await this.menu(domainId, DEFAULT_MENU_NAME)) === undefined) throw error;
    });
    return true;
  }

  /** Validates a menu and what it names: users, menus. */
  private async checkMenu(domainId: number, m: MenuFields): Promise<void> {
    const errors = validateMenu(m);
    if (errors.length === 0) {
      const actions = [
        ...Object.entries(m.keys).map(([key, a]) => [keyField(key), a] as const),
        ["timeoutAction", m.timeoutAction] as const,
        ["invalidAction", m.invalidAction] as const,
      ];
      for (const [field, action] of actions)
        if (action !== undefined) errors.push(...(await this.targetErrors(domainId, field, action, m.name)));
    }
    if (errors.length > 0) throw new ValidationError(errors);
  }

  /** The user or menu an action names must exist (a menu naming itself is its own repeat). */
  private async targetErrors(
    domainId: number,
    field: string,
    action: MenuAction,
    self = "",
  ): Promise<FieldError[]> {
    const at = `${field}.target`;
    if (action.kind === "user" || action.kind === "voicemail") {
      const user = await this.db
        .selectFrom("users")
        .select("id")
        .where("domain_id", "=", domainId)
        .where("name", "=", action.target)
        .executeTakeFirst();
      if (user === undefined) return [{ field: at, message: `no local user is named "${action.target}"` }];
    }
    if (action.kind === "menu" && action.target !== self && !(await this.menu(domainId, action.target)))
      return [{ field: at, message: `no menu is named "${action.target}"` }];
    return [];
  }

  // --- time conditions ---

  async timeConditions(domainId: number): Promise<TimeCondition[]> {
    const rows = await this.db
      .selectFrom("auto_attendant_time_conditions")
      .selectAll()
      .where("domain_id", "=", domainId)
      .orderBy("name")
      .execute();
    return rows.map(toTimeCondition);
  }

  async timeCondition(domainId: number, name: string): Promise<TimeCondition | undefined> {
    const row = await this.db
      .selectFrom("auto_attendant_time_conditions")
      .selectAll()
      .where("domain_id", "=", domainId)
      .where("name", "=", name)
      .executeTakeFirst();
    return row ? toTimeCondition(row) : undefined;
  }

  async createTimeCondition(domainId: number, input: NewTimeCondition): Promise<TimeCondition> {
    const t: TimeConditionFields = {
      ...TIME_CONDITION_DEFAULTS,
      ...definedOnly(input),
    } as TimeConditionFields;
    await this.checkTimeCondition(domainId, t);
    await this.insertDocument("auto_attendant_time_conditions", "time condition", domainId, t);
    this.changed(domainId);
    return (await this.timeCondition(domainId, t.name))!;
  }

  async updateTimeCondition(
    domainId: number,
    name: string,
    patch: TimeConditionPatch,
  ): Promise<TimeCondition> {
    const current = await this.timeCondition(domainId, name);
    if (!current) throw new NotFoundError("time condition", name);
    const next: TimeCondition = { ...current, ...definedOnly(patch) };
    await this.checkTimeCondition(domainId, next);
    if (next.name !== name) await this.checkUnused(domainId, "timeCondition", name, "name");
    await this.updateDocument("auto_attendant_time_conditions", "time condition", domainId, current.id, next);
    this.changed(domainId);
    return (await this.timeCondition(domainId, next.name))!;
  }

  async deleteTimeCondition(domainId: number, name: string): Promise<boolean> {
    await this.checkUnused(domainId, "timeCondition", name, "name");
    return this.deleteDocument("auto_attendant_time_conditions", domainId, name);
  }

  private async checkTimeCondition(domainId: number, t: TimeConditionFields): Promise<void> {
    const errors = validateTimeCondition(t);
    if (errors.length === 0) {
      errors.push(...(await this.targetErrors(domainId, "inHours", t.inHours)));
      errors.push(...(await this.targetErrors(domainId, "outOfHours", t.outOfHours)));
      if (t.holiday !== null) errors.push(...(await this.targetErrors(domainId, "holiday", t.holiday)));
    }
    if (errors.length > 0) throw new ValidationError(errors);
  }

  // --- entry points ---

  async entries(domainId: number): Promise<AutoAttendantEntry[]> {
    const rows = await this.db
      .selectFrom("auto_attendant_entries")
      .selectAll()
      .where("domain_id", "=", domainId)
      .orderBy("kind")
      .orderBy("entry_key")
      .execute();
    return rows.map(toEntry);
  }

  async entry(domainId: number, kind: EntryKind, key: string): Promise<AutoAttendantEntry | undefined> {
    const row = await this.db
      .selectFrom("auto_attendant_entries")
      .selectAll()
      .where("domain_id", "=", domainId)
      .where("kind", "=", kind)
      .where("entry_key", "=", key)
      .executeTakeFirst();
    return row ? toEntry(row) : undefined;
  }

  async setEntry(domainId: number, input: NewEntry): Promise<AutoAttendantEntry> {
    const e = { menu: "", timeCondition: "", ...definedOnly(input) } as Required<NewEntry>;
    const errors = validateEntry(e);
    if (errors.length === 0 && e.menu !== "" && !(await this.menu(domainId, e.menu)))
      errors.push({ field: "menu", message: `no menu is named "${e.menu}"` });
    if (
      errors.length === 0 &&
      e.timeCondition !== "" &&
      !(await this.timeCondition(domainId, e.timeCondition))
    )
      errors.push({ field: "timeCondition", message: `no time condition is named "${e.timeCondition}"` });
    if (errors.length > 0) throw new ValidationError(errors);
    const now = this.now();
    const current = await this.entry(domainId, e.kind, e.key);
    if (current === undefined)
      await unique("auto-attendant entry", `${e.kind} ${e.key}`, () =>
        this.db
          .insertInto("auto_attendant_entries")
          .values({
            domain_id: domainId,
            kind: e.kind,
            entry_key: e.key,
            menu: e.menu,
            time_condition: e.timeCondition,
            created_at: now,
            updated_at: now,
          })
          .execute(),
      );
    else
      await this.db
        .updateTable("auto_attendant_entries")
        .set({ menu: e.menu, time_condition: e.timeCondition, updated_at: now })
        .where("domain_id", "=", domainId)
        .where("id", "=", current.id)
        .execute();
    this.changed(domainId);
    return (await this.entry(domainId, e.kind, e.key))!;
  }

  async deleteEntry(domainId: number, kind: EntryKind, key: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("auto_attendant_entries")
      .where("domain_id", "=", domainId)
      .where("kind", "=", kind)
      .where("entry_key", "=", key)
      .executeTakeFirst();
    this.changed(domainId);
    return Number(result.numDeletedRows) > 0;
  }

  // --- shared ---

  /** Refuses (naming `field`) while a menu, time condition or entry point names this one. */
  private async checkUnused(
    domainId: number,
    what: "menu" | "timeCondition",
    name: string,
    field: string,
  ): Promise<void> {
    const users: string[] = [];
    if (what === "menu") {
      for (const m of await this.menus(domainId)) {
        const named = [...Object.values(m.keys), m.timeoutAction, m.invalidAction].some(
          (a) => a?.kind === "menu" && a.target === name,
        );
        if (named && m.name !== name) users.push(`menu ${m.name}`);
      }
      for (const t of await this.timeConditions(domainId))
        if ([t.inHours, t.outOfHours, t.holiday].some((d) => d?.kind === "menu" && d.target === name))
          users.push(`time condition ${t.name}`);
    }
    for (const e of await this.entries(domainId))
      if ((what === "menu" ? e.menu : e.timeCondition) === name) users.push(`entry point ${e.kind} ${e.key}`);
    if (users.length > 0) throw new ValidationError([{ field, message: `is used by ${users.join(", ")}` }]);
  }

  private async insertDocument(
    table: DocTable,
    entity: string,
    domainId: number,
    fields: { name: string },
  ): Promise<void> {
    const now = this.now();
    await unique(entity, fields.name, () =>
      this.db
        .insertInto(table)
        .values({
          domain_id: domainId,
          name: fields.name,
          data: document(fields),
          created_at: now,
          updated_at: now,
        })
        .execute(),
    );
  }

  private async updateDocument(
    table: DocTable,
    entity: string,
    domainId: number,
    id: number,
    fields: { name: string },
  ): Promise<void> {
    await unique(entity, fields.name, () =>
      this.db
        .updateTable(table)
        .set({ name: fields.name, data: document(fields), updated_at: this.now() })
        .where("domain_id", "=", domainId)
        .where("id", "=", id)
        .execute(),
    );
  }

  private async deleteDocument(table: DocTable, domainId: number, name: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom(table)
      .where("domain_id", "=", domainId)
      .where("name", "=", name)
      .executeTakeFirst();
    this.changed(domainId);
    return Number(result.numDeletedRows) > 0;
  }
}
