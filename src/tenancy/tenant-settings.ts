/**
 * A tenant's settings and secrets (issue 21): the process's settings with the tenant's own data
 * directory (`<dataDir>/tenants/<name>`: voicemail, recordings, prompts, music, scripts) and SIP
 * port in; its own listeners; and its administrator's password and API token, kept in its data
 * directory as the default tenant's are in the main one (the token names its tenant, so the web
 * server knows where a request goes before reading it).
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AdminPassword } from "../api/admin/admin-password.js";
import { resolveApiToken, TOKEN_FILE_NAME } from "../api/token.js";
import type { Settings } from "../config/settings.js";
import { DEFAULT_DOMAIN_NAME, type Domain } from "../store/domain-repository.js";
import type { TransportProtocol } from "../transport/types.js";

export const TENANT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const TOKEN_PREFIX = "pt.";

export function isDefaultTenant(domain: Pick<Domain, "name">): boolean {
  return domain.name === DEFAULT_DOMAIN_NAME;
}

export function tenantDataDir(base: Pick<Settings, "dataDir">, name: string): string {
  return join(base.dataDir, "tenants", name);
}

export function tenantSettings(base: Settings, domain: Domain): Settings {
  if (isDefaultTenant(domain)) return base;
  return {
    ...base,
    dataDir: tenantDataDir(base, domain.name),
    sipPort: domain.ports.udp || base.sipPort,
    sipTcpPort: domain.ports.tcp || base.sipTcpPort,
    httpPort: 0,
    httpsPort: 0,
    stunPort: 0,
  };
}

/** A tenant's own listeners, on every address the process binds. */
export function ownListeners(
  base: Pick<Settings, "bind">,
  domain: Domain,
): Array<{ protocol: TransportProtocol; address: string; port: number }> {
  const out: Array<{ protocol: TransportProtocol; address: string; port: number }> = [];
  const p = domain.ports;
  for (const address of base.bind) {
    if (p.udp) out.push({ protocol: "UDP", address, port: p.udp });
    if (p.tcp) out.push({ protocol: "TCP", address, port: p.tcp });
    if (p.tls) out.push({ protocol: "TLS", address, port: p.tls });
    if (p.ws) out.push({ protocol: "WS", address, port: p.ws });
  }
  return out;
}

/** The tenant an API token names (`pt.<tenant>.<secret>`), if it has that form. */
export function tenantOfToken(token: string): string | undefined {
  if (!token.startsWith(TOKEN_PREFIX)) return undefined;
  const end = token.indexOf(".", TOKEN_PREFIX.length);
  return end < 0 ? undefined : token.slice(TOKEN_PREFIX.length, end);
}

export interface TenantSecrets {
  token: string;
  readonly admin: AdminPassword;
  /** Counts changes of the token and password: the tenant's API (and its sign-ins) is built anew. */
  version: number;
}

export async function openTenantSecrets(dir: string): Promise<TenantSecrets> {
  await mkdir(dir, { recursive: true });
  const token = resolveApiToken({ configured: undefined, dataDir: dir }).token;
  const { admin } = await AdminPassword.open({ dataDir: dir });
  return { token, admin, version: 0 };
}

/** A new token for the tenant (the old one stops at once); written atomically. */
export async function newTenantToken(dir: string, name: string): Promise<string> {
  const token = `${TOKEN_PREFIX}${name}.${randomBytes(24).toString("base64url")}`;
  await mkdir(dir, { recursive: true });
  const file = join(dir, TOKEN_FILE_NAME);
  await writeFile(`${file}.new`, `${token}\n`, { mode: 0o600 });
  await chmod(`${file}.new`, 0o600);
  await rename(`${file}.new`, file);
  return token;
}

export async function removeTenantFiles(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
