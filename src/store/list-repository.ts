/**
 * The black and white list and the IP black and white list (migration 006), per domain, on
 * SQLite, MySQL/MariaDB and PostgreSQL. Every write validates first (a ValidationError names each
 * bad field) and maps a duplicate key to a ConflictError.
 */
import type { Kysely, Selectable } from "kysely";
import { NotFoundError, unique, ValidationError } from "./errors.js";
import {
  type CallListKind,
  type CallListPatch,
  type CallListRecord,
  type IpListEntry,
  type IpListKind,
  type IpListPatch,
  type NewCallListRecord,
  type NewIpListEntry,
  validateCallListRecord,
  validateIpListEntry,
} from "./list-model.js";
import type { CallListsTable, Database, IpListsTable } from "./schema.js";

export interface ListRepository {
  /** A domain's call list records, by caller prefix then called prefix. */
  callRecords(domainId: number): Promise<CallListRecord[]>;
  createCallRecord(domainId: number, input: NewCallListRecord): Promise<CallListRecord>;
  updateCallRecord(domainId: number, id: number, patch: CallListPatch): Promise<CallListRecord>;
  /** Resolves to whether the record existed. */
  deleteCallRecord(domainId: number, id: number): Promise<boolean>;
  /** A domain's IP list entries, by address. */
  ipEntries(domainId: number): Promise<IpListEntry[]>;
  createIpEntry(domainId: number, input: NewIpListEntry): Promise<IpListEntry>;
  updateIpEntry(domainId: number, id: number, patch: IpListPatch): Promise<IpListEntry>;
  /** Resolves to whether the entry existed. */
  deleteIpEntry(domainId: number, id: number): Promise<boolean>;
}

function toCallRecord(r: Selectable<CallListsTable>): CallListRecord {
  return {
    id: Number(r.id),
    domainId: Number(r.domain_id),
    callerPrefix: r.caller_prefix,
    calledPrefix: r.called_prefix,
    kind: r.kind === "white" ? "white" : "black",
    rate: Number(r.rate),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function toIpEntry(r: Selectable<IpListsTable>): IpListEntry {
  return {
    id: Number(r.id),
    domainId: Number(r.domain_id),
    address: r.address,
    kind: r.kind === "accept" ? "accept" : "reject",
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function checked(errors: ReturnType<typeof validateCallListRecord>): void {
  if (errors.length > 0) throw new ValidationError(errors);
}

export class KyselyListRepository implements ListRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number,
  ) {}

  async callRecords(domainId: number): Promise<CallListRecord[]> {
    const rows = await this.db
      .selectFrom("call_lists")
      .selectAll()
      .where("domain_id", "=", domainId)
      .orderBy("caller_prefix")
      .orderBy("called_prefix")
      .execute();
    return rows.map(toCallRecord);
  }

  private async callRecord(domainId: number, id: number): Promise<CallListRecord | undefined> {
    const row = await this.db
      .selectFrom("call_lists")
      .selectAll()
      .where("domain_id", "=", domainId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? toCallRecord(row) : undefined;
  }

  async createCallRecord(domainId: number, input: NewCallListRecord): Promise<CallListRecord> {
    checked(validateCallListRecord(input, false));
    const now = this.now();
    const key = `${input.callerPrefix} ${input.calledPrefix}`;
    await unique("call list record", key, () =>
      this.db
        .insertInto("call_lists")
        .values({
          domain_id: domainId,
          caller_prefix: input.callerPrefix,
          called_prefix: input.calledPrefix,
          kind: input.kind,
          rate: input.rate ?? 100,
          created_at: now,
          updated_at: now,
        })
        .execute(),
    );
    // Read back by the unique key: MySQL has no RETURNING.
    const row = await this.db
      .selectFrom("call_lists")
      .selectAll()
      .where("domain_id", "=", domainId)
      .where("caller_prefix", "=", input.callerPrefix)
      .where("called_prefix", "=", input.calledPrefix)
      .executeTakeFirstOrThrow();
    return toCallRecord(row);
  }

  async updateCallRecord(domainId: number, id: number, patch: CallListPatch): Promise<CallListRecord> {
    checked(validateCallListRecord(patch, true));
    const current = await this.callRecord(domainId, id);
    if (!current) throw new NotFoundError("call list record", String(id));
    const next = { ...current, ...definedOnly(patch) };
    await unique("call list record", `${next.callerPrefix} ${next.calledPrefix}`, () =>
      this.db
        .updateTable("call_lists")
        .set({
          caller_prefix: next.callerPrefix,
          called_prefix: next.calledPrefix,
          kind: next.kind as CallListKind,
          rate: next.rate,
          updated_at: this.now(),
        })
        .where("domain_id", "=", domainId)
        .where("id", "=", id)
        .execute(),
    );
    return (await this.callRecord(domainId, id)) ?? next;
  }

  async deleteCallRecord(domainId: number, id: number): Promise<boolean> {
    const result = await this.db
      .deleteFrom("call_lists")
      .where("domain_id", "=", domainId)
      .where("id", "=", id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async ipEntries(domainId: number): Promise<IpListEntry[]> {
    const rows = await this.db
      .selectFrom("ip_lists")
      .selectAll()
      .where("domain_id", "=", domainId)
      .orderBy("address")
      .execute();
    return rows.map(toIpEntry);
  }

  private async ipEntry(domainId: number, id: number): Promise<IpListEntry | undefined> {
    const row = await this.db
      .selectFrom("ip_lists")
      .selectAll()
      .where("domain_id", "=", domainId)
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? toIpEntry(row) : undefined;
  }

  async createIpEntry(domainId: number, input: NewIpListEntry): Promise<IpListEntry> {
    checked(validateIpListEntry(input, false));
    const now = this.now();
    await unique("IP list entry", input.address, () =>
      this.db
        .insertInto("ip_lists")
        .values({
          domain_id: domainId,
          address: input.address,
          kind: input.kind,
          created_at: now,
          updated_at: now,
        })
        .execute(),
    );
    const row = await this.db
      .selectFrom("ip_lists")
      .selectAll()
      .where("domain_id", "=", domainId)
      .where("address", "=", input.address)
      .executeTakeFirstOrThrow();
    return toIpEntry(row);
  }

  async updateIpEntry(domainId: number, id: number, patch: IpListPatch): Promise<IpListEntry> {
    checked(validateIpListEntry(patch, true));
    const current = await this.ipEntry(domainId, id);
    if (!current) throw new NotFoundError("IP list entry", String(id));
    const next = { ...current, ...definedOnly(patch) };
    await unique("IP list entry", next.address, () =>
      this.db
        .updateTable("ip_lists")
        .set({ address: next.address, kind: next.kind as IpListKind, updated_at: this.now() })
        .where("domain_id", "=", domainId)
        .where("id", "=", id)
        .execute(),
    );
    return (await this.ipEntry(domainId, id)) ?? next;
  }

  async deleteIpEntry(domainId: number, id: number): Promise<boolean> {
    const result = await this.db
      .deleteFrom("ip_lists")
      .where("domain_id", "=", domainId)
      .where("id", "=", id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

/** A patch's fields that are set (an explicit undefined changes nothing). */
function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}
