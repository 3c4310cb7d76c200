/**
 * Two tenants in one real `parley start` for the end-to-end tests of issue 21: `a` (domain
 * a.test) and `b` (domain b.test), provisioned through POST /api/v1/tenants, each with users 100
 * and 101 (the same numbers in both, with passwords that differ between tenants, so a phone of
 * one cannot authenticate in the other) and its own UDP port; Parley's --sip-port is the port they
 * share (told apart by domain). Each tenant's administrator calls the API with its own token.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { BaresipPhone, toneWav } from "./baresip-phone.js";
import { type ParleyProcess, type StartOptions, startParley } from "./parley-process.js";
import { freePorts } from "./ports.js";
import { TenantPhone } from "./tenant-phone.js";

export type TenantName = "a" | "b";

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of the API under test, checked by the tests
export type ApiAnswer = { status: number; body: any; headers: Headers };

export interface TenantHandle {
  readonly name: TenantName;
  /** Its SIP domain, e.g. "a.test". */
  readonly domain: string;
  /** Its own UDP port. */
  readonly port: number;
  /** Its administrator's API token (`pt.<name>.<secret>`). */
  token: string;
  /** The SIP password of one of its users (preset or created with `addUser`). */
  password(user: string): string;
  /** The API with its own token; `headers` are added (e.g. X-Parley-Tenant). */
  api(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiAnswer>;
  /** A user created through its API, with a password remembered for the phones. */
  addUser(name: string, fields?: Record<string, unknown>): Promise<ApiAnswer>;
}

export interface TwoTenants {
  readonly parley: ParleyProcess;
  readonly a: TenantHandle;
  readonly b: TenantHandle;
  /** The provider's token; `tenant` sends X-Parley-Tenant. */
  provider(method: string, path: string, body?: unknown, tenant?: string): Promise<ApiAnswer>;
  /** The other tenant. */
  other(t: TenantHandle): TenantHandle;
}

export const ADMIN_PASSWORD = "tenant-admin-pass";

/** A user's SIP password in a tenant: differs between tenants for the same number. */
export function tenantPassword(tenant: string, user: string): string {
  return `${tenant}${user}-secret`;
}

/** Calls Parley's API on `port` with `token`; a Buffer body is sent as audio/wav. */
export async function callApi(
  port: number,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiAnswer> {
  const raw = Buffer.isBuffer(body);
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": raw ? "audio/wav" : "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : raw ? (body as Buffer) : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  if (text !== "" && (res.headers.get("content-type") ?? "").includes("json")) parsed = JSON.parse(text);
  return { status: res.status, body: text === "" ? undefined : parsed, headers: res.headers };
}

function handle(parley: ParleyProcess, name: TenantName, port: number, token: string): TenantHandle {
  const passwords = new Map<string, string>();
  const t: TenantHandle = {
    name,
    domain: `${name}.test`,
    port,
    token,
    password: (user) => passwords.get(user) ?? tenantPassword(name, user),
    api: (method, path, body, headers) => callApi(parley.httpPort, t.token, method, path, body, headers),
    async addUser(user, fields = {}) {
      const password = `${name}-${user}-Secret9`;
      const res = await t.api("POST", "/api/v1/users", { name: user, password, ...fields });
      if (res.status === 201) passwords.set(user, password);
      return res;
    },
  };
  return t;
}

/** POST /api/v1/tenants for one tenant with users 100 and 101 on its own UDP port. */
export async function createTenant(
  parley: ParleyProcess,
  name: TenantName,
  port: number,
  extra: Record<string, unknown> = {},
): Promise<TenantHandle> {
  const res = await callApi(parley.httpPort, parley.apiToken, "POST", "/api/v1/tenants", {
    name,
    domain: `${name}.test`,
    ports: { udp: port },
    admin: { password: ADMIN_PASSWORD },
    users: ["100", "101"].map((user) => ({ name: user, password: tenantPassword(name, user) })),
    ...extra,
  });
  assert.equal(res.status, 201, `POST /tenants ${name}: ${JSON.stringify(res.body)}`);
  assert.match(res.body.apiToken, new RegExp(`^pt\\.${name}\\.`));
  return handle(parley, name, port, res.body.apiToken);
}

/**
 * Starts Parley (`extraArgs` added, e.g. --rtp-ports; `options` as startParley's) and provisions
 * tenants a and b, each on a free UDP port of its own.
 */
export async function startTwoTenants(
  extraArgs: string[] = [],
  options: StartOptions = {},
): Promise<TwoTenants> {
  const parley = await startParley(extraArgs, {}, options);
  try {
    const [pa, pb] = await freePorts(2);
    const a = await createTenant(parley, "a", pa!);
    const b = await createTenant(parley, "b", pb!);
    return twoTenants(parley, a, b);
  } catch (err) {
    await parley.stop();
    throw err;
  }
}

export function twoTenants(parley: ParleyProcess, a: TenantHandle, b: TenantHandle): TwoTenants {
  return {
    parley,
    a,
    b,
    provider: (method, path, body, tenant) =>
      callApi(
        parley.httpPort,
        parley.apiToken,
        method,
        path,
        body,
        tenant === undefined ? {} : { "x-parley-tenant": tenant },
      ),
    other: (t) => (t === a ? b : a),
  };
}

/** The two tenants of one describe block (useTwoTenants), with what its tests open on them. */
export interface TwoTenantsInTest extends TwoTenants {
  /** The phones `phone` opened, in order. */
  readonly phones: readonly TenantPhone[];
  /** A scripted phone of `x`'s `user` sending to 127.0.0.1:`port` (the shared one unless told), closed after. */
  phone(x: TenantHandle, user: string, port?: number): Promise<TenantPhone>;
  /** Something of the test's (an RTP peer, a phone), closed with the phones before Parley stops. */
  track<T extends { close(): void }>(c: T): T;
  /** A clean-up run (in order, awaited) before the phones close and Parley stops. */
  beforeStop(fn: () => unknown): void;
}

/**
 * Registers, in the describe block it is called in, a `before` hook starting Parley with tenants a
 * and b (startTwoTenants with `extraArgs` and `options`) and an `after` hook that runs the
 * beforeStop clean-ups, closes the phones and what was tracked, and stops Parley. The handle it
 * gives reads the started tenants (once the `before` hook has run).
 */
export function useTwoTenants(extraArgs: string[] = [], options: StartOptions = {}): TwoTenantsInTest {
  let env: TwoTenants | undefined;
  const closers: Array<{ close(): void }> = [];
  const phones: TenantPhone[] = [];
  const stops: Array<() => unknown> = [];
  before(async () => {
    env = await startTwoTenants(extraArgs, options);
  });
  after(async () => {
    for (const stop of stops) await stop();
    for (const c of closers) c.close();
    await env?.parley.stop();
  });
  const started = (): TwoTenants => {
    if (env === undefined)
      throw new Error("the two tenants are not started yet (useTwoTenants' before hook)");
    return env;
  };
  const fixture: TwoTenantsInTest = {
    get parley() {
      return started().parley;
    },
    get a() {
      return started().a;
    },
    get b() {
      return started().b;
    },
    provider: (method, path, body, tenant) => started().provider(method, path, body, tenant),
    other: (t) => started().other(t),
    phones,
    async phone(x, user, port = started().parley.sipPort) {
      const p = await TenantPhone.open({ user, password: x.password(user), domain: x.domain, port });
      phones.push(p);
      closers.push(p);
      return p;
    },
    track(c) {
      closers.push(c);
      return c;
    },
    beforeStop(fn) {
      stops.push(fn);
    },
  };
  return fixture;
}

/** What baresip answers a REGISTER that left the user with one binding. */
export const REGISTERED = /200 OK \(Parley[^)]*\) \[1 binding\]/;

export interface BaresipPhoneOptions {
  /** Its tone: it sends `work/<hz>.wav`. */
  readonly hz: number;
  /** Its outbound proxy's port: Parley's shared one unless told. */
  readonly port?: number;
  readonly autoAnswer?: boolean;
  /** The output that tells it registered (REGISTERED unless told), and what the assertion says after `user@domain`. */
  readonly registered?: RegExp;
  readonly says?: string;
}

/** baresip phones of the two tenants in one describe block (useTenantBaresip). */
export interface TenantBaresip {
  /** A work directory of the describe block, removed after it. */
  readonly work: string;
  /** A started baresip phone of `x`'s `user` (tenantAccount), on the next 50 RTP ports, asserted registered. */
  phone(x: TenantHandle, user: string, o: BaresipPhoneOptions): Promise<BaresipPhone>;
  /** A phone the test started itself, stopped (with the others) before Parley stops. */
  track(p: BaresipPhone): BaresipPhone;
}

/**
 * Registers, after useTwoTenants, a `before` hook making a work directory `parley-tenants-<name>-…`
 * (for the tones: `toneWav(join(work, "<hz>.wav"), …)`), the phones' stop before Parley stops and
 * an `after` hook removing the directory. Phones get RTP ports from `rtpBase` on, 50 each.
 */
export function useTenantBaresip(env: TwoTenantsInTest, name: string, rtpBase = 0): TenantBaresip {
  let work: string | undefined;
  let next = rtpBase;
  const running: BaresipPhone[] = [];
  before(() => {
    work = mkdtempSync(join(tmpdir(), `parley-tenants-${name}-`));
  });
  env.beforeStop(() => Promise.all(running.map((p) => p.stop())));
  after(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });
  const phones: TenantBaresip = {
    get work() {
      if (work === undefined) throw new Error("no work directory yet (useTenantBaresip's before hook)");
      return work;
    },
    async phone(x, user, o) {
      const p = await BaresipPhone.start({
        account: tenantAccount(x, user, o.port ?? env.parley.sipPort),
        source: join(phones.work, `${o.hz}.wav`),
        ...(o.autoAnswer === undefined ? {} : { autoAnswer: o.autoAnswer }),
        rtpPorts: `${next}-${next + 49}`,
      });
      next += 50;
      running.push(p);
      assert.ok(
        await p.waitForOutput(o.registered ?? REGISTERED, 10_000),
        `${user}@${x.domain}${o.says ?? " registered"}\n${p.output()}`,
      );
      return p;
    },
    track(p) {
      running.push(p);
      return p;
    },
  };
  return phones;
}

/** Writes one tone file per frequency: `work/<hz>.wav`, `seconds` long. */
export async function toneFiles(work: string, hzs: number[], seconds: number): Promise<void> {
  for (const hz of hzs) await toneWav(join(work, `${hz}.wav`), hz, seconds);
}

/** A handle on a tenant of a restarted Parley (same name, port and token as before). */
export function reattach(parley: ParleyProcess, before: TenantHandle): TenantHandle {
  return handle(parley, before.name, before.port, before.token);
}

/**
 * A baresip account line of a tenant's user: the AOR names the tenant's domain, and every request
 * goes to the outbound proxy 127.0.0.1:`port` (the tenant's own port or the shared one).
 */
export function tenantAccount(t: TenantHandle, user: string, port: number): string {
  return `<sip:${user}@${t.domain}>;auth_pass=${t.password(user)};outbound="sip:127.0.0.1:${port}";regint=60`;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `get` until it gives a value (not undefined), failing with `what` after `ms`. */
export async function until<T>(
  what: string,
  get: () => T | undefined | Promise<T | undefined>,
  ms = 10_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
