/**
 * Local users: CRUD with validation, the digest fast path, and lookup by authorized IP address.
 * Passwords are never stored: create/update keep only HA1 = H(name:realm:password) for MD5 and
 * SHA-256 (see digest-ha1.ts), so the API can never return a password.
 */
import type BetterSqlite3 from "better-sqlite3";
import { type Kysely, type Selectable, sql } from "kysely";
import type { BindingRepository } from "./binding-model.js";
import { computeHa1, type Ha1Pair } from "./digest-ha1.js";
import { refuseEmergencyNumber } from "./emergency-repository.js";
import { ConflictError, isUniqueViolation, NotFoundError, ValidationError } from "./errors.js";
import { IpMatcher } from "./ip-match.js";
import type { Database, UsersTable } from "./schema.js";
import type { LocalUser } from "./user-model.js";
import { applyPatch } from "./user-model.js";
import { ha1Columns, rowToUser, settingsToRow, userSettings } from "./user-rows.js";
import { validateUser } from "./user-validation.js";

export interface UserListQuery {
  domainId: number;
  /** Rows to skip; default 0. */
  offset?: number;
  /** Rows to return; default 100, at most 1000. */
  limit?: number;
  /** Case-insensitive substring of the name or the display name. */
  search?: string;
}

export interface UserPage {
  items: LocalUser[];
  /** Matching users in all pages. */
  total: number;
}

export interface UserRepository {
  list(query: UserListQuery): Promise<UserPage>;
  get(domainId: number, name: string): Promise<LocalUser | undefined>;
  /** Validates `input` (see validateUser "create"); throws ValidationError, ConflictError, NotFoundError (domain). */
  create(domainId: number, input: unknown): Promise<LocalUser>;
  /** Applies a partial change (see validateUser "update"); throws ValidationError, NotFoundError, ConflictError. */
  update(domainId: number, name: string, patch: unknown): Promise<LocalUser>;
  /** Deletes the user and its stored bindings; false when there was no such user. */
  delete(domainId: number, name: string): Promise<boolean>;
  /** The digest secrets only, for the authentication hot path; undefined for an unknown user. */
  getAuth(domainId: number, name: string): Promise<Ha1Pair | undefined>;
  /** The user and its digest secrets in one read (what the SIP path caches); undefined if unknown. */
  getWithAuth(domainId: number, name: string): Promise<{ user: LocalUser; auth: Ha1Pair } | undefined>;
  /** Users (of any domain) whose IP address authorization covers `ip`. */
  findByIp(ip: string): Promise<LocalUser[]>;
  /** Users (of any domain) with any IP address authorization at all. */
  listIpAuthorized(): Promise<LocalUser[]>;
  /**
   * A cheap, synchronous mark that changes whenever another process may have changed users (on
   * SQLite, `PRAGMA data_version`: bumped by every commit of another connection). Undefined when
   * the engine offers none: then a cache must reload to see outside changes.
   */
  outsideChangeMark(): number | undefined;
  /** Number of users in all domains, or in one (issue 21: a tenant's user limit). */
  count(domainId?: number): Promise<number>;
  /**
   * Called after every create, update and delete through this repository (with the old name on a
   * rename), so in-memory caches of this process (UserDirectory) see a change at once.
   */
  onChange(listener: UserChangeListener): void;
}

export type UserChangeListener = (domainId: number, name: string) => void;

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** LIKE pattern for a substring, with `!` escaping the wildcards (`\` means different things per engine). */
function likePattern(search: string): string {
  return `%${search.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

function clampInt(value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.trunc(value)));
}

export class KyselyUserRepository implements UserRepository {
  private authStatement: BetterSqlite3.Statement | undefined;
  private userStatement: BetterSqlite3.Statement | undefined;
  private dataVersionStatement: BetterSqlite3.Statement | undefined;
  private readonly listeners: UserChangeListener[] = [];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly bindings: BindingRepository,
    private readonly now: () => number,
    /** On SQLite, getAuth uses one prepared statement on the raw handle. */
    private readonly sqlite?: BetterSqlite3.Database,
  ) {}

  async list(query: UserListQuery): Promise<UserPage> {
    const offset = clampInt(query.offset, 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = clampInt(query.limit, DEFAULT_PAGE_SIZE, 0, MAX_PAGE_SIZE);
    let base = this.db.selectFrom("users").where("domain_id", "=", query.domainId);
    const search = query.search?.trim();
    if (search) {
      const pattern = likePattern(search);
      base = base.where(
        sql<boolean>`(lower(name) like ${pattern} escape '!' or lower(display_name) like ${pattern} escape '!')`,
      );
    }
    const [rows, counted] = await Promise.all([
      base.selectAll().orderBy("name").limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(rowToUser), total: Number(counted.n) };
  }

  async get(domainId: number, name: string): Promise<LocalUser | undefined> {
    const row = await this.db
      .selectFrom("users")
      .selectAll()
      .where("domain_id", "=", domainId)
      .where("name", "=", name)
      .executeTakeFirst();
    return row ? rowToUser(row) : undefined;
  }

  async create(domainId: number, input: unknown): Promise<LocalUser> {
    const checked = validateUser(input, "create");
    if (!checked.ok) throw new ValidationError(checked.errors);
    const { password, ...settings } = checked.value;
    await refuseEmergencyNumber(this.db, domainId, settings.name);
    const realm = await this.realmOf(domainId);
    const now = this.now();
    try {
      await this.db
        .insertInto("users")
        .values({
          ...settingsToRow(settings),
          ...ha1Columns(computeHa1(settings.name, realm, password)),
          domain_id: domainId,
          created_at: now,
          updated_at: now,
        })
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError("user", settings.name);
      throw error;
    }
    this.changed(domainId, settings.name);
    return this.mustGet(domainId, settings.name);
  }

  onChange(listener: UserChangeListener): void {
    this.listeners.push(listener);
  }

  private changed(domainId: number, name: string): void {
    for (const l of this.listeners) l(domainId, name);
  }

  async update(domainId: number, name: string, patchInput: unknown): Promise<LocalUser> {
    const checked = validateUser(patchInput, "update");
    if (!checked.ok) throw new ValidationError(checked.errors);
    const existing = await this.get(domainId, name);
    if (!existing) throw new NotFoundError("user", name);
    const patch = checked.value;
    const merged = applyPatch(userSettings(existing), patch);
    if (merged.name !== name) await refuseEmergencyNumber(this.db, domainId, merged.name);
    const ha1 =
      patch.password === undefined
        ? {}
        : ha1Columns(computeHa1(merged.name, await this.realmOf(domainId), patch.password));
    try {
      await this.db
        .updateTable("users")
        .set({ ...settingsToRow(merged), ...ha1, updated_at: this.now() })
        .where("domain_id", "=", domainId)
        .where("id", "=", existing.id)
        .execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError("user", merged.name);
      throw error;
    }
    if (merged.name !== name) await this.bindings.removeAllForUser(domainId, name);
    this.changed(domainId, name);
    if (merged.name !== name) this.changed(domainId, merged.name);
    return this.mustGet(domainId, merged.name);
  }

  async delete(domainId: number, name: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("users")
      .where("domain_id", "=", domainId)
      .where("name", "=", name)
      .executeTakeFirst();
    // Through the bindings repository, so the removal is ordered after any queued write.
    await this.bindings.removeAllForUser(domainId, name);
    this.changed(domainId, name);
    return Number(result.numDeletedRows) > 0;
  }

  async getAuth(domainId: number, name: string): Promise<Ha1Pair | undefined> {
    if (this.sqlite) {
      this.authStatement ??= this.sqlite.prepare(
        "select ha1_md5, ha1_sha256 from users where domain_id = ? and name = ?",
      );
      const row = this.authStatement.get(domainId, name) as
        | { ha1_md5: string; ha1_sha256: string }
        | undefined;
      return row ? { ha1Md5: row.ha1_md5, ha1Sha256: row.ha1_sha256 } : undefined;
    }
    const row = await this.db
      .selectFrom("users")
      .select(["ha1_md5", "ha1_sha256"])
      .where("domain_id", "=", domainId)
      .where("name", "=", name)
      .executeTakeFirst();
    return row ? { ha1Md5: row.ha1_md5, ha1Sha256: row.ha1_sha256 } : undefined;
  }

  async getWithAuth(domainId: number, name: string): Promise<{ user: LocalUser; auth: Ha1Pair } | undefined> {
    let row: Selectable<UsersTable> | undefined;
    if (this.sqlite) {
      this.userStatement ??= this.sqlite.prepare("select * from users where domain_id = ? and name = ?");
      row = this.userStatement.get(domainId, name) as Selectable<UsersTable> | undefined;
    } else {
      row = await this.db
        .selectFrom("users")
        .selectAll()
        .where("domain_id", "=", domainId)
        .where("name", "=", name)
        .executeTakeFirst();
    }
    return row
      ? { user: rowToUser(row), auth: { ha1Md5: row.ha1_md5, ha1Sha256: row.ha1_sha256 } }
      : undefined;
  }

  outsideChangeMark(): number | undefined {
    if (!this.sqlite) return undefined;
    this.dataVersionStatement ??= this.sqlite.prepare("pragma data_version").pluck();
    return Number(this.dataVersionStatement.get());
  }

  async findByIp(ip: string): Promise<LocalUser[]> {
    const users = await this.listIpAuthorized();
    return users.filter((user) => new IpMatcher(user.ipAuthorization).matches(ip));
  }

  async listIpAuthorized(): Promise<LocalUser[]> {
    const rows = await this.db
      .selectFrom("users")
      .selectAll()
      .where("ip_authorization", "<>", "[]")
      .execute();
    return rows.map(rowToUser);
  }

  async count(domainId?: number): Promise<number> {
    let query = this.db.selectFrom("users").select((eb) => eb.fn.countAll().as("n"));
    if (domainId !== undefined) query = query.where("domain_id", "=", domainId);
    const row = await query.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private async realmOf(domainId: number): Promise<string> {
    const domain = await this.db
      .selectFrom("domains")
      .select("realm")
      .where("id", "=", domainId)
      .executeTakeFirst();
    if (!domain) throw new NotFoundError("domain", String(domainId));
    return domain.realm;
  }

  private async mustGet(domainId: number, name: string): Promise<LocalUser> {
    const user = await this.get(domainId, name);
    if (!user) throw new NotFoundError("user", name);
    return user;
  }
}
