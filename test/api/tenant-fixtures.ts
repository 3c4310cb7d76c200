/**
 * Two tenants over one real SQLite store (issue 21): the default domain and a second domain row,
 * each with its own admin API built by createApi({ domain }) and its own token, its own data
 * folder (as `<dataDir>/tenants/<name>/`), and the per-tenant services the composition root
 * gives each: feature codes, voicemail, auto-attendant greetings, recordings, scripts. The live
 * views (conferences, the parking lot) are the server's shared ones and hold both domains' state.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";
import { createApi } from "../../src/api/index.js";
import type { ConferenceMemberLive, ConferencesLive } from "../../src/api/routes/conference-rooms.js";
import type { ParkedCall, ParkedView } from "../../src/api/types.js";
import { LuaVmHost, ScriptFiles } from "../../src/scripting/index.js";
import { MenuGreetings } from "../../src/services/auto-attendant/greetings.js";
import { CallLists } from "../../src/services/call-lists/call-lists.js";
import { FeatureCodeSettings } from "../../src/services/feature-code-settings.js";
import { FeatureCodeTable } from "../../src/services/feature-codes.js";
import { IpLists } from "../../src/services/ip-lists/ip-lists.js";
import { MailQueue } from "../../src/services/voicemail/mail-queue.js";
import { Mailboxes } from "../../src/services/voicemail/mailboxes.js";
import { SmtpConfig } from "../../src/services/voicemail/smtp-config.js";
import type { Domain, Store } from "../../src/store/index.js";
import { silentLogger } from "../../src/util/logger.js";
import { baseApiDeps, NOW } from "./fixtures.js";

/** Rooms in use, per domain and number, as the real LiveConferences keys them. */
export class DomainConferences implements ConferencesLive {
  readonly rooms = new Map<string, ConferenceMemberLive[]>();
  readonly removed: string[] = [];

  join(domainId: number, number: string, member: ConferenceMemberLive): void {
    const key = `${domainId}:${number}`;
    this.rooms.set(key, [...(this.rooms.get(key) ?? []), member]);
  }
  list(domainId: number) {
    return [...this.rooms]
      .filter(([key]) => key.startsWith(`${domainId}:`))
      .map(([key, members]) => ({ number: key.slice(key.indexOf(":") + 1), members }));
  }
  members(domainId: number, number: string) {
    return this.rooms.get(`${domainId}:${number}`);
  }
  async mute(domainId: number, number: string, id: string, muted: boolean) {
    const members = this.rooms.get(`${domainId}:${number}`);
    const i = members?.findIndex((m) => m.id === id) ?? -1;
    if (members === undefined || i < 0) return false;
    members[i] = { ...members[i], muted };
    return true;
  }
  remove(domainId: number, number: string, id: string) {
    const members = this.rooms.get(`${domainId}:${number}`);
    if (!members?.some((m) => m.id === id)) return false;
    this.removed.push(`${domainId}:${number}/${id}`);
    return true;
  }
}

/** The parking lot: every domain's slots, as the real one lists them. */
export class MemoryParkingLot implements ParkedView {
  readonly calls: ParkedCall[] = [];
  list(): readonly ParkedCall[] {
    return this.calls;
  }
}

/** The feature code table every tenant starts from (services/feature-codes.ts's shape). */
function featureTable(): FeatureCodeTable {
  const table = new FeatureCodeTable();
  table.add("*93", "forwarding", { argument: true, suffix: "*", description: "Forwarding" });
  table.add("*93", "forwarding");
  table.add("*43", "echo-test", { description: "Echo test" });
  return table;
}

export interface Tenant {
  readonly domain: Domain;
  readonly id: number;
  readonly token: string;
  readonly app: FastifyInstance;
  /** The tenant's data folder. */
  readonly root: string;
  readonly recordingsDir: string;
  readonly mailboxes: Mailboxes;
  /** A request with this tenant's token; a JSON payload or a string body. */
  request(
    method: InjectOptions["method"],
    url: string,
    payload?: object | string,
    type?: string,
  ): Promise<LightMyRequestResponse>;
}

export interface Shared {
  readonly store: Store;
  readonly conferences: DomainConferences;
  readonly parked: MemoryParkingLot;
  /** Both domains' call list service (it keys its cache by domain, as the server's one). */
  readonly callLists: CallLists;
}

/** Inserts a domain row (as the tenant repository will) and returns it. */
export async function insertDomain(store: Store, name: string): Promise<Domain> {
  const now = NOW;
  await store.db
    .insertInto("domains")
    .values({ name, realm: name, accepts_any_host: 0, created_at: now, updated_at: now })
    .execute();
  const row = await store.db
    .selectFrom("domains")
    .select("id")
    .where("name", "=", name)
    .executeTakeFirstOrThrow();
  const domain = await store.domains.get(Number(row.id));
  if (domain === undefined) throw new Error(`domain ${name} not read back`);
  return domain;
}

/** The admin API of one tenant with every optional route served. */
export async function tenantApi(
  shared: Shared,
  domain: Domain,
  token: string,
  root: string,
): Promise<Tenant> {
  const { store } = shared;
  mkdirSync(root, { recursive: true });
  const recordingsDir = join(root, "recordings");
  const featureCodes = new FeatureCodeSettings({
    table: featureTable(),
    repository: store.systemSettings,
    domainId: domain.id,
  });
  await featureCodes.load();
  const smtp = new SmtpConfig({
    repository: store.systemSettings,
    domainId: domain.id,
    startup: { host: undefined, port: 25, security: "none", from: "parley@pbx.test" },
  });
  await smtp.load();
  // Never started: no mail is sent (no user has an address).
  const outbox = new MailQueue({ dir: join(root, "outbox"), smtp: () => smtp.current() });
  const mailboxes = new Mailboxes({
    dir: join(root, "voicemail"),
    repository: store.voicemail,
    mail: outbox,
    outboxDir: join(root, "outbox", "files"),
    emailOf: async () => undefined,
    now: () => NOW,
  });
  const ip = new IpLists({ repository: store.lists, domainId: domain.id });
  await ip.load();
  const app = await createApi({
    ...baseApiDeps(store),
    domain,
    token,
    now: () => NOW,
    settings: () => ({}),
    featureCodes,
    huntGroups: { lastAnsweredMember: () => undefined },
    autoAttendantGreetings: new MenuGreetings(root),
    recordingsDir,
    conferences: shared.conferences,
    parked: shared.parked,
    lists: { calls: shared.callLists, ip },
    scripts: new ScriptFiles(root, new LuaVmHost()),
    callingCards: true,
    voicemail: { mailboxes, smtp, outbox },
  });
  await app.ready();
  return {
    domain,
    id: domain.id,
    token,
    app,
    root,
    recordingsDir,
    mailboxes,
    request: (method, url, payload, type) =>
      app.inject({
        method,
        url: `/api/v1${url}`,
        headers: {
          authorization: `Bearer ${token}`,
          ...(type === undefined ? {} : { "content-type": type }),
        },
        ...(payload === undefined ? {} : { payload }),
      }),
  };
}

/** The call list service both tenants' APIs share. */
export function sharedCallLists(store: Store): CallLists {
  return new CallLists({ repository: store.lists, settings: store.systemSettings, logger: silentLogger() });
}
