/**
 * The tenants of one Parley (issue 21): their PBXs started at boot, and provisioning at run time —
 * create (with its first admin and preset users), change, suspend, resume, and the two steps of
 * deleting. The default tenant (the provider's own PBX) is built by the composition root and
 * is not managed here.
 */
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import type { Settings } from "../config/settings.js";
import type { Domain, TenantLimits, TenantPorts } from "../store/domain-repository.js";
import { ConflictError, ValidationError } from "../store/errors.js";
import { DEFAULT_MIN_PASSWORD_LENGTH, passwordPolicyErrors } from "../store/password-policy.js";
import { probePorts } from "../transport/port-probe.js";
import { SipTransportLayer } from "../transport/transport-layer.js";
import type { Logger } from "../util/logger.js";
import { traceSip } from "../util/sip-trace.js";
import { TenantProblem } from "./tenant-problem.js";
import type { RoutedTenant, TenantRouter } from "./tenant-router.js";
import { createTenantRuntime, type SharedParts, type TenantRuntime } from "./tenant-runtime.js";
import {
  isDefaultTenant,
  newTenantToken,
  openTenantSecrets,
  ownListeners,
  removeTenantFiles,
  TENANT_NAME,
  type TenantSecrets,
  tenantDataDir,
  tenantSettings,
} from "./tenant-settings.js";

/** A running tenant: its PBX, its secrets, and how the shared ports' router sees it. */
export interface Tenant extends RoutedTenant {
  readonly runtime: TenantRuntime;
  readonly secrets: TenantSecrets;
  readonly own: SipTransportLayer | undefined;
}

export interface NewTenantInput {
  readonly name: string;
  readonly domain: string;
  readonly realm?: string;
  readonly ports?: TenantPorts;
  readonly limits?: TenantLimits;
  readonly adminPassword: string;
  readonly users?: ReadonlyArray<{ name: string; password: string; displayName?: string }>;
}

export interface TenantManagerOptions {
  readonly shared: SharedParts;
  readonly settings: Settings;
  readonly router: TenantRouter<RoutedTenant>;
  readonly logger: Logger;
  /** Days a deleted tenant's CDRs are kept. */
  readonly retentionDays: number;
  readonly onChange?: () => void;
}

const CONFIRM_TTL_MS = 10 * 60_000;

export class TenantManager {
  private readonly running = new Map<string, Tenant>();
  private readonly confirmations = new Map<string, { code: string; until: number }>();
  private purgeTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: TenantManagerOptions) {}

  get size(): number {
    return this.running.size;
  }

  get(name: string): Tenant | undefined {
    return this.running.get(name);
  }

  list(): Tenant[] {
    return [...this.running.values()];
  }

  /** Starts the PBX of every stored tenant that is not deleted (suspended ones run, refusing). */
  async startAll(): Promise<void> {
    await this.purge();
    // Deleted tenants' records go when their retention is over: checked hourly.
    this.purgeTimer = setInterval(() => void this.purge(), 3_600_000);
    this.purgeTimer.unref();
    for (const domain of await this.o.shared.store.domains.list()) {
      if (isDefaultTenant(domain) || domain.state === "deleted") continue;
      try {
        await this.launch(domain);
      } catch (err) {
        this.o.logger.error({ err, tenant: domain.name }, "tenant not started");
      }
    }
  }

  private async purge(): Promise<void> {
    try {
      const purged = await this.o.shared.store.tenants.purgeDue();
      if (purged.length > 0) this.o.logger.info({ tenants: purged }, "deleted tenants' records purged");
    } catch (err) {
      this.o.logger.warn({ err }, "deleted tenants' records not purged");
    }
  }

  async stopAll(): Promise<void> {
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    for (const t of [...this.running.values()]) await this.halt(t.name);
  }

  async create(input: NewTenantInput): Promise<{ domain: Domain; apiToken: string }> {
    const store = this.o.shared.store;
    if (!TENANT_NAME.test(input.name))
      throw new TenantProblem(
        "validation",
        "name",
        "must be lower-case letters, digits and '-' (at most 63)",
      );
    const max = input.limits?.users;
    if (max !== undefined && (input.users?.length ?? 0) > max)
      throw new TenantProblem("limit_reached", "users", `tenant ${input.name} allows ${max} users`);
    await this.checkPorts(input.ports ?? {});
    this.checkPresetUsers(input.users ?? []);
    const domain = await store.tenants.create({
      name: input.name,
      sipDomain: input.domain.toLowerCase(),
      realm: input.realm ?? input.domain.toLowerCase(),
      ...(input.ports ? { ports: input.ports } : {}),
      ...(input.limits ? { limits: input.limits } : {}),
    });
    try {
      const dir = tenantDataDir(this.o.settings, domain.name);
      await removeTenantFiles(dir); // a former tenant of the same name leaves nothing behind
      await mkdir(dir, { recursive: true });
      const apiToken = await newTenantToken(dir, domain.name);
      const secrets = await openTenantSecrets(dir);
      await secrets.admin.set(input.adminPassword);
      for (const [i, user] of (input.users ?? []).entries()) {
        try {
          await store.users.create(domain.id, {
            name: user.name,
            password: user.password,
            ...(user.displayName === undefined ? {} : { displayName: user.displayName }),
          });
        } catch (err) {
          throw presetUserProblem(err, i);
        }
      }
      await this.launch(domain);
      this.o.logger.info({ tenant: domain.name, domain: domain.sipDomain }, "tenant created");
      this.o.onChange?.();
      return { domain, apiToken };
    } catch (err) {
      // All or nothing: a tenant half made (a preset user refused, a port taken) is not kept.
      await store.tenants.removeConfig(domain.id);
      await store.db.deleteFrom("domains").where("id", "=", domain.id).execute();
      await removeTenantFiles(tenantDataDir(this.o.settings, domain.name));
      throw err;
    }
  }

  async update(
    name: string,
    patch: { domain?: string; ports?: TenantPorts; limits?: TenantLimits; adminPassword?: string },
  ): Promise<Domain> {
    const tenant = this.must(name);
    // A new administrator password; the tenant's API (and its sign-ins) is built anew.
    if (patch.adminPassword !== undefined) {
      await tenant.secrets.admin.set(patch.adminPassword);
      tenant.secrets.version++;
    }
    const portsChanged =
      patch.ports !== undefined &&
      JSON.stringify(patch.ports) !== JSON.stringify(tenant.runtime.domain.ports);
    if (portsChanged) await this.checkPorts(patch.ports ?? {}, tenant.own);
    const domain = await this.o.shared.store.tenants.update(tenant.runtime.domain.id, {
      ...(patch.domain === undefined ? {} : { sipDomain: patch.domain.toLowerCase() }),
      ...(patch.ports === undefined ? {} : { ports: patch.ports }),
      ...(patch.limits === undefined ? {} : { limits: patch.limits }),
    });
    if (portsChanged) {
      // New ports: the PBX starts again on them (its registrations are reloaded from the store).
      await this.halt(name);
      await this.launch(domain);
    } else {
      tenant.runtime.setDomain(domain);
      this.o.router.add(this.routed(tenant.runtime, tenant.secrets, tenant.own));
    }
    this.o.onChange?.();
    return domain;
  }

  async setSuspended(name: string, suspended: boolean): Promise<Domain> {
    const tenant = this.must(name);
    const domain = await this.o.shared.store.tenants.setState(
      tenant.runtime.domain.id,
      suspended ? "suspended" : "active",
    );
    tenant.runtime.setDomain(domain);
    this.o.logger.info({ tenant: name }, suspended ? "tenant suspended" : "tenant resumed");
    this.o.onChange?.();
    return domain;
  }

  /** Step one of deleting: a code to confirm with, valid for ten minutes; nothing is removed. */
  requestDelete(name: string, now = Date.now()): { confirm: string; expiresAt: number } {
    this.must(name);
    const code = randomBytes(6).toString("hex");
    const until = now + CONFIRM_TTL_MS;
    this.confirmations.set(name, { code, until });
    return { confirm: code, expiresAt: until };
  }

  /** Step two: the PBX stops, its config and files go; its CDRs stay for the retention time. */
  async confirmDelete(name: string, code: string, now = Date.now()): Promise<{ cdrsKeptUntil: number }> {
    const tenant = this.must(name);
    const pending = this.confirmations.get(name);
    if (pending === undefined || pending.until < now || pending.code !== code)
      throw new TenantProblem(
        "validation",
        "confirm",
        "is not the code the first DELETE answered (or it expired)",
      );
    this.confirmations.delete(name);
    const id = tenant.runtime.domain.id;
    await this.halt(name);
    const store = this.o.shared.store;
    await store.tenants.removeConfig(id);
    await removeTenantFiles(tenantDataDir(this.o.settings, name));
    const cdrsKeptUntil = now + this.o.retentionDays * 86_400_000;
    await store.tenants.setState(id, "deleted", cdrsKeptUntil);
    this.o.logger.info(
      { tenant: name, cdrsKeptUntil: new Date(cdrsKeptUntil).toISOString() },
      "tenant deleted",
    );
    this.o.onChange?.();
    return { cdrsKeptUntil };
  }

  async rotateToken(name: string): Promise<string> {
    const tenant = this.must(name);
    const dir = tenantDataDir(this.o.settings, name);
    const token = await newTenantToken(dir, name);
    // The API built with the old token is dropped; the next request builds one with the new.
    tenant.secrets.token = token;
    tenant.secrets.version++;
    this.o.onChange?.();
    return token;
  }

  /** The users' password policy (store/password-policy.ts) holds for preset users too. */
  private checkPresetUsers(users: NonNullable<NewTenantInput["users"]>): void {
    const min = this.o.settings.minPasswordLength ?? DEFAULT_MIN_PASSWORD_LENGTH;
    const errors = users.flatMap((u, i) =>
      passwordPolicyErrors(u.name, u.password, min).map((e) => ({
        field: `users[${i}].${e.field}`,
        message: e.message,
      })),
    );
    const seen = new Set<string>();
    users.forEach((u, i) => {
      if (seen.has(u.name)) errors.push({ field: `users[${i}].name`, message: `${u.name} is given twice` });
      seen.add(u.name);
    });
    if (errors.length > 0) throw new ValidationError(errors);
  }

  private must(name: string): Tenant {
    const tenant = this.running.get(name);
    if (tenant === undefined) throw new TenantProblem("not_found", "name", `no tenant ${name}`);
    return tenant;
  }

  /** Its own ports must be free and not another tenant's. */
  private async checkPorts(ports: TenantPorts, current?: SipTransportLayer): Promise<void> {
    for (const [key, port] of Object.entries(ports)) {
      if (port === undefined || port === 0) continue;
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        throw new TenantProblem("validation", `ports.${key}`, "must be a port number (1-65535)");
      const taken = [
        ...this.o.shared.transport.listening,
        ...this.list().flatMap((t) => (t.own === current ? [] : (t.own?.listening ?? []))),
      ];
      if (taken.some((l) => l.port === port))
        throw new TenantProblem("conflict", `ports.${key}`, `port ${port} is already Parley's`);
    }
    const probe = ownListeners(this.o.settings, { ports } as Domain).filter(
      (l) => !(current?.listening ?? []).some((c) => c.port === l.port && c.protocol === l.protocol),
    );
    try {
      await probePorts(
        probe.map((l) => ({
          protocol: l.protocol === "UDP" ? "UDP" : "TCP",
          address: l.address,
          port: l.port,
          purpose: `tenant SIP over ${l.protocol}`,
          flag: "ports",
        })),
      );
    } catch (err) {
      throw new TenantProblem("conflict", "ports", (err as Error).message);
    }
  }

  private async launch(domain: Domain): Promise<Tenant> {
    const base = tenantSettings(this.o.settings, domain);
    const listeners = ownListeners(this.o.settings, domain);
    const logger = this.o.logger.child({ tenant: domain.name });
    let runtimeRef: TenantRuntime | undefined;
    const own =
      listeners.length === 0
        ? undefined
        : new SipTransportLayer({
            listeners,
            advertisedAddress: base.advertisedAddress,
            maxMessageSize: base.maxMessageSize,
            idleTimeoutMs: base.tcpIdleTimeout,
            dataDir: base.dataDir,
            tls: base.tlsCert && base.tlsKey ? { certFile: base.tlsCert, keyFile: base.tlsKey } : undefined,
            clock: this.o.shared.clock,
            onTrace: base.sipTrace ? (event) => traceSip(logger, event) : undefined,
            onBadMessage: (ctx) => runtimeRef?.core.onBadMessage(ctx),
          });
    const secrets = await openTenantSecrets(base.dataDir);
    const runtime = await createTenantRuntime(this.o.shared, domain, base, own, logger, false);
    runtimeRef = runtime;
    await runtime.load();
    await runtime.start();
    const tenant = this.routed(runtime, secrets, own);
    this.running.set(domain.name, tenant);
    this.o.router.add(tenant);
    return tenant;
  }

  private routed(runtime: TenantRuntime, secrets: TenantSecrets, own: SipTransportLayer | undefined): Tenant {
    return {
      name: runtime.domain.name,
      get sipDomain() {
        return runtime.domain.sipDomain;
      },
      runtime,
      secrets,
      own,
      holdsTransaction: (m) => runtime.transactions.holds(m),
      holdsDialog: (m) =>
        m.kind === "request"
          ? runtime.dialogs.findForRequest(m) !== undefined
          : runtime.dialogs.findForResponse(m) !== undefined,
      ownsPeer: (source) => runtime.ownsPeer(source),
      deliver: (rx) => runtime.transport.deliver(rx),
    } as Tenant;
  }

  private async halt(name: string): Promise<void> {
    const tenant = this.running.get(name);
    if (tenant === undefined) return;
    this.running.delete(name);
    this.o.router.remove(name);
    await tenant.runtime.stop();
  }
}

/** A preset user's store error, its fields named inside `users[i]`. */
function presetUserProblem(err: unknown, i: number): unknown {
  if (err instanceof ValidationError)
    return new ValidationError(
      err.errors.map((e) => ({ field: `users[${i}].${e.field}`, message: e.message })),
    );
  if (err instanceof ConflictError)
    return new ValidationError([{ field: `users[${i}].name`, message: err.message }]);
  return err;
}
