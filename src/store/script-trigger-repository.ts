/**
 * Script triggers (migration 014), per domain, on SQLite, MySQL/MariaDB and PostgreSQL. A
 * trigger is addressed by its id. Every write validates first (a ValidationError names each bad
 * field); listeners hear of every change, so the script service's cache never serves a stale table.
 */
import type { Kysely, Selectable } from "kysely";
import type { StoreKind } from "./connect.js";
import { NotFoundError, ValidationError } from "./errors.js";
import type { Database } from "./schema.js";
import type { ScriptTriggersTable } from "./script-trigger-migration.js";
import {
  compareTriggers,
  type NewScriptTrigger,
  SCRIPT_TRIGGER_DEFAULTS,
  type ScriptTrigger,
  type ScriptTriggerPatch,
  type TriggerPoint,
  validateScriptTrigger,
} from "./script-trigger-model.js";

export interface ScriptTriggerRepository {
  /** A domain's triggers in the order they run: by detection point (lifecycle order), order, id. */
  list(domainId: number): Promise<ScriptTrigger[]>;
  get(domainId: number, id: number): Promise<ScriptTrigger | undefined>;
  create(domainId: number, input: NewScriptTrigger): Promise<ScriptTrigger>;
  update(domainId: number, id: number, patch: ScriptTriggerPatch): Promise<ScriptTrigger>;
  /** Resolves to whether the trigger existed. */
  delete(domainId: number, id: number): Promise<boolean>;
  /** Called after every write through this repository (the script service's cache). */
  onChange(listener: (domainId: number) => void): void;
}

type TriggerDatabase = Database & { script_triggers: ScriptTriggersTable };

function toTrigger(r: Selectable<ScriptTriggersTable>): ScriptTrigger {
  return {
    id: Number(r.id),
    domainId: Number(r.domain_id),
    point: r.point as TriggerPoint,
    dialPlan: r.dial_plan,
    prefix: r.prefix,
    script: r.script,
    order: Number(r.position),
    enabled: Number(r.enabled) === 1,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** The columns a trigger's fields are written to. */
function columns(t: Omit<ScriptTrigger, "id" | "domainId" | "createdAt" | "updatedAt">) {
  return {
    point: t.point,
    dial_plan: t.dialPlan,
    prefix: t.prefix,
    script: t.script,
    position: t.order,
    enabled: t.enabled ? 1 : 0,
  };
}

function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function check(input: NewScriptTrigger): void {
  const errors = validateScriptTrigger(input);
  if (errors.length > 0) throw new ValidationError(errors);
}

export class KyselyScriptTriggerRepository implements ScriptTriggerRepository {
  private readonly listeners: Array<(domainId: number) => void> = [];
  private readonly db: Kysely<TriggerDatabase>;

  constructor(
    db: Kysely<Database>,
    private readonly kind: StoreKind,
    private readonly now: () => number,
  ) {
    this.db = db.withTables<{ script_triggers: ScriptTriggersTable }>();
  }

  onChange(listener: (domainId: number) => void): void {
    this.listeners.push(listener);
  }

  private changed(domainId: number): void {
    for (const listener of this.listeners) listener(domainId);
  }

  async list(domainId: number): Promise<ScriptTrigger[]> {
    const rows = await this.db
      .selectFrom("script_triggers")
      .selectAll()
      .where("domain_id", "=", domainId)
      .execute();
    // The lifecycle's order of points is not the names' alphabetical one: sorted here.
    return rows.map(toTrigger).sort(compareTriggers);
  }

  async get(domainId: number, id: number): Promise<ScriptTrigger | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const row = await this.db
      .selectFrom("script_triggers")
      .selectAll()
      .where("domain_id", "=", domainId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? toTrigger(row) : undefined;
  }

  async create(domainId: number, input: NewScriptTrigger): Promise<ScriptTrigger> {
    check(input);
    const t = { ...SCRIPT_TRIGGER_DEFAULTS, ...definedOnly(input), point: input.point, script: input.script };
    const now = this.now();
    const row = { domain_id: domainId, ...columns(t), created_at: now, updated_at: now };
    let id: number;
    if (this.kind === "postgres") {
      const out = await this.db
        .insertInto("script_triggers")
        .values(row)
        .returning("id")
        .executeTakeFirstOrThrow();
      id = Number(out.id);
    } else {
      // MySQL has no RETURNING: its insertId (and SQLite's) is the new row's id.
      id = Number(
        (await this.db.insertInto("script_triggers").values(row).executeTakeFirstOrThrow()).insertId,
      );
    }
    this.changed(domainId);
    return (await this.get(domainId, id))!;
  }

  async update(domainId: number, id: number, patch: ScriptTriggerPatch): Promise<ScriptTrigger> {
    const current = await this.get(domainId, id);
    if (!current) throw new NotFoundError("script trigger", String(id));
    const next: ScriptTrigger = { ...current, ...definedOnly(patch) };
    check(next);
    await this.db
      .updateTable("script_triggers")
      .set({ ...columns(next), updated_at: this.now() })
      .where("domain_id", "=", domainId)
      .where("id", "=", id)
      .execute();
    this.changed(domainId);
    return (await this.get(domainId, id)) ?? next;
  }

  async delete(domainId: number, id: number): Promise<boolean> {
    if (!Number.isSafeInteger(id)) return false;
    const result = await this.db
      .deleteFrom("script_triggers")
      .where("domain_id", "=", domainId)
      .where("id", "=", id)
      .executeTakeFirst();
    this.changed(domainId);
    return Number(result.numDeletedRows) > 0;
  }
}
