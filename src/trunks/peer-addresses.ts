/**
 * The addresses of Parley's carriers — its SIP trunks and its external lines' servers and outbound
 * proxies — for checks that must answer at once (issue 22: the per-source rate limit never applies
 * to a carrier, whose traffic is every call of an office). Host names are resolved in the
 * background; the set is refreshed when asked after `refreshMs`, so a carrier added or changed is
 * known within that time.
 */
import type { RoutingSnapshot } from "../store/routing-validation.js";
import { bareHost, resolveHost, sameAddress } from "./resolve.js";

export class PeerAddresses {
  private addresses = new Set<string>();
  private refreshedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly snapshot: () => RoutingSnapshot | undefined,
    private readonly now: () => number,
    private readonly refreshMs = 10_000,
  ) {}

  /** Is `address` a trunk's or a line's (as last resolved)? */
  has(address: string): boolean {
    if (this.now() - this.refreshedAt >= this.refreshMs) this.refresh();
    for (const known of this.addresses) if (sameAddress(known, address)) return true;
    return false;
  }

  private refresh(): void {
    this.refreshedAt = this.now();
    const snapshot = this.snapshot();
    if (snapshot === undefined) return;
    const hosts = [
      ...snapshot.trunks.map((t) => t.address),
      ...snapshot.lines.flatMap((l) => [l.server, l.outboundProxy.enabled ? l.outboundProxy.address : ""]),
    ].filter((h) => h.length > 0);
    void Promise.allSettled(hosts.map((h) => resolveHost(bareHost(h)))).then((results) => {
      const next = new Set<string>();
      for (const r of results) if (r.status === "fulfilled") next.add(r.value);
      this.addresses = next;
    });
  }
}
