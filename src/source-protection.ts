/**
 * What stands between a source address and the SIP stack (composition root, issues 16 and 22):
 * the IP black list (dropped unparsed), the per-source rate limit (dropped unparsed past
 * `--rate-limit`), failed-authentication bans, and the transport's connection and message caps,
 * each refusal logged once per interval rather than once per message.
 */
import { addressIn, BanList, buildBlockList } from "./auth/ban-list.js";
import { SourceRateLimiter } from "./auth/source-rate-limit.js";
import type { Settings } from "./config/settings.js";
import { IpLists } from "./services/ip-lists/ip-lists.js";
import type { Store } from "./store/index.js";
import type { SipTransportOptions } from "./transport/options.js";
import type { Clock } from "./util/clock.js";
import type { Logger } from "./util/logger.js";

type Limits = Pick<
  SipTransportOptions,
  "maxConnections" | "maxConnectionsPerSource" | "maxMessagesPerConnection" | "wsOrigins" | "onEvent"
>;

/** The transport's caps, and how their refusals (and its other events) are logged. */
export function transportLimits(settings: Settings, logger: Logger): Limits {
  return {
    maxConnections: settings.maxConnections,
    maxConnectionsPerSource: settings.maxConnectionsPerSource,
    maxMessagesPerConnection: settings.maxMessagesPerConnection,
    // Pages allowed to open SIP WebSocket connections (issue 20), beside Parley's own host.
    wsOrigins: settings.wsOrigins,
    onEvent: (event) => {
      if (event.kind !== "limit") logger.debug(event, "transport");
      else if (event.limit === "messages-per-connection")
        logger.warn(event, "messages dropped: a connection is over --max-messages-per-connection");
      else logger.warn(event, "connection refused: cap reached");
    },
  };
}

export interface SourceProtection {
  readonly bans: BanList;
  readonly ipLists: IpLists;
  readonly rateLimiter: SourceRateLimiter;
  /** Tell the rate limit which addresses are carriers (trunks, lines), never limited. */
  exemptCarriers(isCarrier: (address: string) => boolean): void;
}

export function sourceProtection(o: {
  readonly settings: Settings;
  readonly clock: Clock;
  readonly wallNow: () => number;
  readonly logger: Logger;
  readonly store: Store;
  readonly domainId: number;
  readonly setSourceFilter: (rejects: (address: string) => boolean) => void;
}): SourceProtection {
  const { settings, clock, logger } = o;
  const bans = new BanList(
    clock,
    {
      threshold: settings.authFailThreshold,
      userThreshold: settings.authFailThreshold * 3,
      windowMs: settings.authFailWindow * 1000,
      banMs: settings.banTime * 1000,
      allow: settings.banAllow,
    },
    (ban) =>
      logger.warn(
        {
          address: ban.address,
          reason: ban.reason,
          until: new Date(o.wallNow() + ban.until - clock.now()).toISOString(),
        },
        "address banned",
      ),
  );
  // The IP black and white list (issue 16): rejected sources dropped unparsed, accepted never banned.
  const ipLists = new IpLists({ repository: o.store.lists, domainId: o.domainId });
  bans.trust(ipLists.accepts);
  const allowed = buildBlockList(settings.rateLimitAllow).list;
  let isCarrier: (address: string) => boolean = () => false;
  const rateLimiter = new SourceRateLimiter({
    rate: settings.rateLimit,
    now: () => clock.now(),
    exempt: (address) => addressIn(allowed, address) || ipLists.accepts(address) || isCarrier(address),
    onLimited: (source, dropped) =>
      logger.warn(
        { source, dropped, rateLimit: settings.rateLimit },
        "source over --rate-limit: its messages are dropped unanswered",
      ),
  });
  o.setSourceFilter((address) => ipLists.rejects(address) || !rateLimiter.allows(address));
  return {
    bans,
    ipLists,
    rateLimiter,
    exemptCarriers: (fn) => {
      isCarrier = fn;
    },
  };
}
