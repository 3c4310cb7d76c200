/**
 * FEATURES.md section 3, type 1 lines: an FXO gateway registers to Parley with the line's
 * account and password, and calls in with them. This directory answers the authenticator and
 * the registrar for those accounts as the user directory does for local users (a local user of
 * the same name wins), so a gateway's binding lives in the location service like a phone's.
 */
import type { CredentialSource, Ha1Pair } from "../auth/authenticator.js";
import type { RegistrarUserSource } from "../registrar/register-handler.js";
import { computeHa1 } from "../store/digest-ha1.js";
import type { ExternalLine } from "../store/routing-model.js";
import type { UserDirectory } from "../store/user-directory.js";

interface GatewayEntry {
  readonly auth: Ha1Pair;
  /** One gateway device per line. */
  readonly user: { readonly multiDevice: boolean; readonly maxDevices: number };
}

export interface GatewayDirectoryOptions {
  readonly users: UserDirectory;
  readonly realm: string;
  /** The stored lines as last read (undefined before the first read). */
  readonly cachedLines: () => readonly ExternalLine[] | undefined;
  readonly loadLines: () => Promise<readonly ExternalLine[]>;
}

export function isGateway(line: ExternalLine): boolean {
  return line.type === 1;
}

export class GatewayDirectory implements CredentialSource, RegistrarUserSource {
  private readonly ha1s = new Map<string, Ha1Pair>();

  constructor(private readonly o: GatewayDirectoryOptions) {}

  private entryOf(line: ExternalLine): GatewayEntry {
    const key = `${line.account}\u0000${line.password}`;
    let auth = this.ha1s.get(key);
    if (auth === undefined) {
      auth = computeHa1(line.account, this.o.realm, line.password);
      if (this.ha1s.size > 1000) this.ha1s.clear();
      this.ha1s.set(key, auth);
    }
    return { auth, user: { multiDevice: false, maxDevices: 1 } };
  }

  private gateway(lines: readonly ExternalLine[], name: string): ExternalLine | undefined {
    return lines.find((l) => isGateway(l) && l.account === name);
  }

  async lookup(domainId: number, name: string) {
    const entry = await this.o.users.lookup(domainId, name);
    if (entry !== undefined) return entry;
    const line = this.gateway(await this.o.loadLines(), name);
    return line === undefined ? undefined : this.entryOf(line);
  }

  cached(domainId: number, name: string) {
    const hit = this.o.users.cached(domainId, name);
    if (hit === undefined || hit.entry !== undefined) return hit;
    const lines = this.o.cachedLines();
    if (lines === undefined) return undefined;
    const line = this.gateway(lines, name);
    return { entry: line === undefined ? undefined : this.entryOf(line) };
  }

  byIp(ip: string) {
    return this.o.users.byIp(ip);
  }

  cachedByIp(ip: string) {
    return this.o.users.cachedByIp(ip);
  }
}
