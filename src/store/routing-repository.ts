/**
 * External lines, SIP trunks and dial plan tables of a domain, in one table `routing_config`
 * (migration 003_dialplan_trunks): a row per entity, its kind, its unique key and its fields as
 * JSON (schema.ts: lists and records are JSON text, never queried inside by SQL). These tables
 * are small and always read whole: the SIP path reads a snapshot (cached), never a single row.
 *
 * Every write validates the fields (routing-model.ts) and the references (routing-validation.ts)
 * against the rest of the domain's rows; a delete that would leave a reference dangling is
 * refused, naming what still uses the row.
 */
import type { Kysely } from "kysely";
import type { z } from "zod";
import { emergencyNumbersOf } from "./emergency-repository.js";
import { ConflictError, isUniqueViolation, NotFoundError, ValidationError } from "./errors.js";
import {
  analyzeSchema,
  type DialPlan,
  dialPlanSchema,
  type ExternalLine,
  externalLineSchema,
  refineSchema,
  type SipTrunk,
  type StoredAnalyzeRecord,
  type StoredRefineRecord,
  type StoredTransition,
  sipTrunkSchema,
  transitionSchema,
} from "./routing-model.js";
import {
  analyzeReferences,
  dialPlanReferences,
  lineReferences,
  parseWith,
  type RoutingSnapshot,
  refineReferences,
  trunkReferences,
  usersOf,
} from "./routing-validation.js";
import type { Database } from "./schema.js";
import type { RowCheck } from "./self-reference.js";

export type RoutingKind = "line" | "trunk" | "dialplan" | "analyze" | "transition" | "refine";

interface KindSpec<T> {
  readonly entity: string;
  readonly schema: z.ZodType<unknown>;
  /** The unique key of a value (its name, or its (plan, prefix) pair for analyze records). */
  readonly key: (value: T) => string;
  /** The field holding the key, named in "cannot be changed" errors (undefined: addressed by row id). */
  readonly keyField?: string;
  readonly references: (s: RoutingSnapshot, value: T) => ReturnType<typeof lineReferences>;
  readonly inUse?: (s: RoutingSnapshot, value: T) => string[];
  readonly slot: keyof RoutingSnapshot;
}

const SPECS = {
  line: {
    entity: "external line",
    schema: externalLineSchema,
    key: (l: ExternalLine) => l.account,
    keyField: "account",
    references: lineReferences,
    inUse: (s: RoutingSnapshot, l: ExternalLine) => usersOf(s, { line: l.account }),
    slot: "lines",
  } satisfies KindSpec<ExternalLine>,
  trunk: {
    entity: "SIP trunk",
    schema: sipTrunkSchema,
    key: (t: SipTrunk) => t.trunkId,
    keyField: "trunkId",
    references: trunkReferences,
    inUse: (s: RoutingSnapshot, t: SipTrunk) => usersOf(s, { trunk: t.trunkId }),
    slot: "trunks",
  } satisfies KindSpec<SipTrunk>,
  dialplan: {
    entity: "dial plan",
    schema: dialPlanSchema,
    key: (p: DialPlan) => p.name,
    keyField: "name",
    references: dialPlanReferences,
    inUse: (s: RoutingSnapshot, p: DialPlan) => usersOf(s, { dialPlan: p.name }),
    slot: "dialPlans",
  } satisfies KindSpec<DialPlan>,
  analyze: {
    entity: "analyze record",
    schema: analyzeSchema,
    key: (r: StoredAnalyzeRecord) => `${r.dialPlan} ${r.prefix}`,
    references: analyzeReferences,
    slot: "analyze",
  } satisfies KindSpec<StoredAnalyzeRecord>,
  transition: {
    entity: "transition",
    schema: transitionSchema,
    key: (t: StoredTransition) => String(t.id),
    keyField: "id",
    references: () => [],
    inUse: (s: RoutingSnapshot, t: StoredTransition) => usersOf(s, { transition: t.id }),
    slot: "transitions",
  } satisfies KindSpec<StoredTransition>,
  refine: {
    entity: "refine record",
    schema: refineSchema,
    key: (r: StoredRefineRecord) => `${r.outgoingGroupId} ${r.prefix}`,
    references: refineReferences,
    slot: "refine",
  } satisfies KindSpec<StoredRefineRecord>,
} as const;

/** The value each kind stores and returns. */
export interface RoutingValues {
  line: ExternalLine;
  trunk: SipTrunk;
  dialplan: DialPlan;
  analyze: StoredAnalyzeRecord;
  transition: StoredTransition;
  refine: StoredRefineRecord;
}

/**
 * Kinds addressed by an id of their own (the API's `/dialplan/analyze/{id}`), numbered per kind
 * from 1 (`record_id`, migration 013); the others by key.
 */
const BY_ROW_ID: ReadonlySet<RoutingKind> = new Set(["analyze", "refine"]);

export type RoutingChangeListener = (domainId: number) => void;

export class RoutingRepository {
  private readonly listeners: RoutingChangeListener[] = [];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Called after every write through this repository (caches of this process reload). */
  onChange(listener: RoutingChangeListener): void {
    this.listeners.push(listener);
  }

  /** Every routing row of a domain, each list in key order. */
  async snapshot(domainId: number): Promise<RoutingSnapshot> {
    const rows = await this.db
      .selectFrom("routing_config")
      .select(["id", "record_id", "kind", "config"])
      .where("domain_id", "=", domainId)
      .orderBy("kind")
      .orderBy("key")
      .execute();
    const s: RoutingSnapshot = {
      lines: [],
      trunks: [],
      dialPlans: [],
      analyze: [],
      transitions: [],
      refine: [],
      emergencyNumbers: await emergencyNumbersOf(this.db, domainId),
    };
    for (const row of rows) {
      const kind = row.kind as RoutingKind;
      const spec = SPECS[kind];
      if (spec === undefined) continue;
      (s[spec.slot] as unknown[]).push(this.decode(kind, shownId(row), row.config));
    }
    return s;
  }

  async list<K extends RoutingKind>(domainId: number, kind: K): Promise<Array<RoutingValues[K]>> {
    const s = await this.snapshot(domainId);
    return s[SPECS[kind].slot] as unknown as Array<RoutingValues[K]>;
  }

  async get<K extends RoutingKind>(
    domainId: number,
    kind: K,
    address: string,
  ): Promise<RoutingValues[K] | undefined> {
    const row = await this.findRow(domainId, kind, address);
    return row === undefined ? undefined : (this.decode(kind, shownId(row), row.config) as RoutingValues[K]);
  }

  /**
   * Validates and stores a new row; ValidationError (fields, references, `check`'s: a line or trunk
   * pointing at this Parley, self-reference.ts) or ConflictError (key).
   */
  async create<K extends RoutingKind>(
    domainId: number,
    kind: K,
    input: unknown,
    check?: RowCheck,
  ): Promise<RoutingValues[K]> {
    const spec = SPECS[kind] as unknown as KindSpec<RoutingValues[K]>;
    const parsed = parseWith(spec.schema, input);
    if (!parsed.ok) throw new ValidationError(parsed.errors);
    const value = parsed.value as RoutingValues[K];
    if (kind === "dialplan" && (value as DialPlan).name === "default")
      throw new ConflictError("dial plan", "default");
    const snapshot = await this.snapshot(domainId);
    const errors = [
      ...spec.references(snapshot, value),
      ...(await this.userReferences(domainId, kind, value)),
      ...(check?.(kind, value) ?? []),
    ];
    if (errors.length > 0) throw new ValidationError(errors);
    const now = this.now();
    const key = spec.key(value);
    for (let attempt = 1; ; attempt++) {
      const recordId = BY_ROW_ID.has(kind) ? await this.nextRecordId(domainId, kind) : null;
      try {
        await this.db
          .insertInto("routing_config")
          .values({
            domain_id: domainId,
            kind,
            key,
            config: JSON.stringify(stripId(kind, value)),
            record_id: recordId,
            created_at: now,
            updated_at: now,
          })
          .execute();
        // MySQL has no RETURNING: read the new row's id back by its unique key.
        const inserted = await this.keyRow(domainId, kind, key).executeTakeFirstOrThrow();
        this.changed(domainId);
        return this.withId(kind, shownId(inserted), value);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // Another writer numbered a record of this kind at the same moment: number it again.
        const keyTaken = (await this.keyRow(domainId, kind, key).executeTakeFirst()) !== undefined;
        if (recordId !== null && !keyTaken && attempt < 5) continue;
        throw new ConflictError(spec.entity, key);
      }
    }
  }

  private keyRow(domainId: number, kind: RoutingKind, key: string) {
    return this.db
      .selectFrom("routing_config")
      .select(["id", "record_id"])
      .where("domain_id", "=", domainId)
      .where("kind", "=", kind)
      .where("key", "=", key);
  }

  /**
   * The id of a new analyze or refine record: one past the highest of its kind in the domain, so
   * each kind counts from 1 (migration 013). NOTE: deleting the highest frees its id for the next
   * record, as SQLite's own row ids do.
   */
  private async nextRecordId(domainId: number, kind: RoutingKind): Promise<number> {
    const row = await this.db
      .selectFrom("routing_config")
      .select((eb) => eb.fn.max("record_id").as("last"))
      .where("domain_id", "=", domainId)
      .where("kind", "=", kind)
      .executeTakeFirst();
    return Number(row?.last ?? 0) + 1;
  }

  /**
   * Merges `patch` into the stored row (one level deep for nested objects) and stores it after
   * the same checks as create. The key field cannot change (delete and create instead).
   */
  async update<K extends RoutingKind>(
    domainId: number,
    kind: K,
    address: string,
    patch: unknown,
    mode: "merge" | "replace" = "merge",
    check?: RowCheck,
  ): Promise<RoutingValues[K]> {
    const spec = SPECS[kind] as unknown as KindSpec<RoutingValues[K]>;
    const row = await this.findRow(domainId, kind, address);
    if (row === undefined) throw new NotFoundError(spec.entity, address);
    if (typeof patch !== "object" || patch === null || Array.isArray(patch))
      throw new ValidationError([{ field: "", message: "must be an object" }]);
    const current = stripId(kind, this.decode(kind, shownId(row), row.config)) as Record<string, unknown>;
    const base: Record<string, unknown> =
      mode === "merge"
        ? { ...current }
        : spec.keyField === undefined
          ? {}
          : { [spec.keyField]: current[spec.keyField] };
    for (const [field, value] of Object.entries(patch)) {
      const old = base[field];
      base[field] =
        mode === "merge" && isPlainObject(old) && isPlainObject(value) ? { ...old, ...value } : value;
    }
    const parsed = parseWith(spec.schema, base);
    if (!parsed.ok) throw new ValidationError(parsed.errors);
    const value = parsed.value as RoutingValues[K];
    if (spec.keyField !== undefined && spec.key(value) !== row.key)
      throw new ValidationError([
        { field: spec.keyField, message: "cannot be changed (delete and create instead)" },
      ]);
    const snapshot = await this.snapshot(domainId);
    const others = {
      ...snapshot,
      [spec.slot]: (snapshot[spec.slot] as unknown[]).filter(
        (v) => spec.key(v as RoutingValues[K]) !== row.key,
      ),
    };
    const errors = [
      ...spec.references(others as RoutingSnapshot, value),
      ...(await this.userReferences(domainId, kind, value)),
      ...(check?.(kind, value) ?? []),
    ];
    if (errors.length > 0) throw new ValidationError(errors);
    try {
      await this.db
        .updateTable("routing_config")
        .set({ key: spec.key(value), config: JSON.stringify(stripId(kind, value)), updated_at: this.now() })
        .where("domain_id", "=", domainId)
        .where("id", "=", row.id)
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(spec.entity, spec.key(value));
      throw error;
    }
    this.changed(domainId);
    return this.withId(kind, shownId(row), value);
  }

  /** Deletes a row no other row refers to; false when there was none; ValidationError when in use. */
  async delete(domainId: number, kind: RoutingKind, address: string): Promise<boolean> {
    const spec = SPECS[kind] as unknown as KindSpec<RoutingValues[RoutingKind]>;
    const row = await this.findRow(domainId, kind, address);
    if (row === undefined) return false;
    const value = this.decode(kind, shownId(row), row.config) as RoutingValues[RoutingKind];
    const users = [...(spec.inUse?.(await this.snapshot(domainId), value) ?? [])];
    if (kind === "line") {
      // A local user's "specific external line" names it (user-model.ts).
      const bound = await this.db
        .selectFrom("users")
        .select("name")
        .where("domain_id", "=", domainId)
        .where("specific_external_line", "=", (value as ExternalLine).account)
        .orderBy("name")
        .execute();
      for (const { name } of bound) users.push(`user ${name} has it as specific external line`);
    }
    if (users.length > 0) {
      throw new ValidationError([
        { field: spec.keyField ?? "id", message: `is in use: ${users.join("; ")}` },
      ]);
    }
    await this.db
      .deleteFrom("routing_config")
      .where("domain_id", "=", domainId)
      .where("id", "=", row.id)
      .execute();
    this.changed(domainId);
    return true;
  }

  /** A dial plan's users must be local users of the domain. */
  private async userReferences(domainId: number, kind: RoutingKind, value: unknown) {
    if (kind !== "dialplan") return [];
    const names = (value as DialPlan).users;
    if (names.length === 0) return [];
    const found = new Set(
      (
        await this.db
          .selectFrom("users")
          .select("name")
          .where("domain_id", "=", domainId)
          .where("name", "in", names)
          .execute()
      ).map((r) => r.name),
    );
    return names.flatMap((name, i) =>
      found.has(name) ? [] : [{ field: `users[${i}]`, message: `no local user "${name}"` }],
    );
  }

  private async findRow(domainId: number, kind: RoutingKind, address: string) {
    let query = this.db
      .selectFrom("routing_config")
      .select(["id", "record_id", "key", "config"])
      .where("domain_id", "=", domainId)
      .where("kind", "=", kind);
    if (BY_ROW_ID.has(kind)) {
      if (!/^\d{1,9}$/.test(address)) return undefined;
      query = query.where("record_id", "=", Number(address));
    } else {
      query = query.where("key", "=", address);
    }
    return query.executeTakeFirst();
  }

  private decode(kind: RoutingKind, id: number, config: string): unknown {
    const value = JSON.parse(config) as Record<string, unknown>;
    return BY_ROW_ID.has(kind) ? { id, ...value } : value;
  }

  private withId<K extends RoutingKind>(kind: K, id: number, value: RoutingValues[K]): RoutingValues[K] {
    return (BY_ROW_ID.has(kind) ? { id, ...(stripId(kind, value) as object) } : value) as RoutingValues[K];
  }

  private changed(domainId: number): void {
    for (const listener of this.listeners) listener(domainId);
  }
}

/** The id a row is shown and addressed by: its per-kind record id (analyze, refine), else its row id. */
function shownId(row: { id: number; record_id: number | null }): number {
  return row.record_id ?? row.id;
}

/** Row-id kinds keep their id out of the JSON (it is the row's own). */
function stripId(kind: RoutingKind, value: unknown): unknown {
  if (!BY_ROW_ID.has(kind)) return value;
  const { id: _id, ...rest } = value as Record<string, unknown>;
  return rest;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
