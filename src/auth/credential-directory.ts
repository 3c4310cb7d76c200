/**
 * The credential source of REGISTER and of calls (the authenticator's CredentialSource and the
 * registrar's user source): the local users of the store, and the accounts of type 1 external
 * lines. FEATURES.md section 3, type 1 lines: an FXO gateway registers to Parley with the line's
 * account and password, and calls in with them, so those accounts are answered here as the user
 * directory answers local users (a local user of the same name wins), and a gateway's binding
 * lives in the location service like a phone's.
 *
 * It lives in auth/ (it was in trunks/) because it answers "who may authenticate, with which
 * HA1": auth/ may read the store; the lines come in as functions from whoever caches them (the
 * routing service's tables), so auth/ imports neither trunks/ nor routing/. The registrar's
 * RegistrarUserSource is satisfied structurally (auth/ does not import the registrar).
 */
import { computeHa1 } from "../store/digest-ha1.js";
import type { ExternalLine } from "../store/routing-model.js";
import type { UserDirectory } from "../store/user-directory.js";
import type { CredentialSource, Ha1Pair } from "./authenticator.js";

/** What the directory reads of an external line. */
export type GatewayLine = Pick<ExternalLine, "type" | "account" | "password">;

interface GatewayEntry {
  readonly auth: Ha1Pair;
  /** One gateway device per line. */
  readonly user: { readonly multiDevice: boolean; readonly maxDevices: number };
}

export interface CredentialDirectoryOptions {
  readonly users: UserDirectory;
  /** The realm of the domain's digest challenges (a gateway's HA1 is computed over it). */
  readonly realm: string;
  /** The stored lines as last read (undefined before the first read). */
  readonly cachedLines: () => readonly GatewayLine[] | undefined;
  readonly loadLines: () => Promise<readonly GatewayLine[]>;
}

/** A type 1 line: its account is a gateway's credentials toward Parley. */
export function isGateway(line: GatewayLine): boolean {
  return line.type === 1;
}

/** The most HA1s kept for lines (keyed by account and password); past it the memo starts over. */
const MAX_MEMO = 1000;

export class CredentialDirectory implements CredentialSource {
  private readonly ha1s = new Map<string, Ha1Pair>();

  constructor(private readonly o: CredentialDirectoryOptions) {}

  private entryOf(line: GatewayLine): GatewayEntry {
    const key = `${line.account}\u0000${line.password}`;
    let auth = this.ha1s.get(key);
    if (auth === undefined) {
      auth = computeHa1(line.account, this.o.realm, line.password);
      if (this.ha1s.size > MAX_MEMO) this.ha1s.clear();
      this.ha1s.set(key, auth);
    }
    return { auth, user: { multiDevice: false, maxDevices: 1 } };
  }

  private gateway(lines: readonly GatewayLine[], name: string): GatewayLine | undefined {
    return lines.find((l) => isGateway(l) && l.account === name);
  }

  /**
   * The local user, else the gateway line. Equal work (issue 22): the lines are searched for a
   * local user too, so a known name and an unknown one cost the same here (the user directory
   * evens out its own reads).
   */
  async lookup(domainId: number, name: string) {
    const entry = await this.o.users.lookup(domainId, name);
    const line = this.gateway(await this.o.loadLines(), name);
    if (entry !== undefined) return entry;
    return line === undefined ? undefined : this.entryOf(line);
  }

  cached(domainId: number, name: string) {
    const hit = this.o.users.cached(domainId, name);
    if (hit === undefined) return undefined;
    const lines = this.o.cachedLines();
    const line = lines === undefined ? undefined : this.gateway(lines, name);
    if (hit.entry !== undefined) return hit;
    if (lines === undefined) return undefined;
    return { entry: line === undefined ? undefined : this.entryOf(line) };
  }

  byIp(ip: string) {
    return this.o.users.byIp(ip);
  }

  cachedByIp(ip: string) {
    return this.o.users.cachedByIp(ip);
  }
}
