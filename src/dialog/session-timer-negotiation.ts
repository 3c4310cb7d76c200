/**
 * The negotiation half of RFC 4028 (session timers): what the UAS grants or refuses (422), what
 * the UAC asks for and how it reads the 2xx. Pure functions over messages and settings.
 */
import type { SipRequest, SipResponse } from "../sip/types.js";
import {
  formatSessionExpires,
  hasOptionTag,
  parseMinSE,
  parseSessionExpires,
  type Refresher,
} from "./headers.js";
import type { HeaderList } from "./message-builder.js";
import type { SessionTimerSettings } from "./types.js";

/** RFC 4028 5: "the minimum value ... MUST NOT be less than 90 seconds". */
export const MIN_SE_FLOOR = 90;

export type UasNegotiation =
  /** Session timers are off here, or nothing to negotiate. */
  | { readonly kind: "none" }
  /** RFC 4028 6: answer 422 with this Min-SE. */
  | { readonly kind: "reject"; readonly minSE: number }
  /** Put these values in the 2xx. */
  | {
      readonly kind: "accept";
      readonly interval: number;
      readonly refresher: Refresher;
      /** The UAC supports timer: the 2xx carries Require: timer (RFC 4028 9). */
      readonly require: boolean;
    };

/**
 * RFC 4028 9 (UAS behavior) for an INVITE or UPDATE. `current` is the session timer already
 * running on the dialog (for a refresh), so the refresher role stays where it is.
 */
export function negotiateAsUas(
  request: SipRequest,
  settings: SessionTimerSettings,
  current?: { readonly localRefresher: boolean },
): UasNegotiation {
  if (!settings.enabled) return { kind: "none" };
  const se = parseSessionExpires(request);
  const requestMinSE = parseMinSE(request) ?? MIN_SE_FLOOR;
  const ownMinSE = Math.max(settings.minSE, MIN_SE_FLOOR);
  const uacSupports =
    hasOptionTag(request, "supported", "timer") || hasOptionTag(request, "require", "timer");
  let interval: number;
  let refresher: Refresher | undefined;
  if (se !== undefined) {
    // RFC 4028 9: "If the Session-Expires interval is lower than the minimum interval the UAS
    // is willing to accept, it MUST reject the request with a 422 response ... with a Min-SE
    // header field containing the minimum interval it will accept."
    if (se.interval < ownMinSE) return { kind: "reject", minSE: ownMinSE };
    // RFC 4028 9: the UAS MAY reduce the interval, but not below the Min-SE of the request.
    interval = Math.max(Math.min(se.interval, settings.interval), requestMinSE, ownMinSE);
    refresher = se.refresher;
  } else {
    // RFC 4028 9: a UAS MAY add a Session-Expires when the request carried none.
    interval = Math.max(settings.interval, requestMinSE, ownMinSE);
  }
  if (!uacSupports) {
    // RFC 4028 9: a UAC that does not support timer cannot refresh: the refresher is the UAS.
    refresher = "uas";
  } else if (refresher === undefined) {
    // RFC 4028 9: the UAS chooses when the request did not; keep a running refresher where it is.
    refresher = current === undefined ? "uac" : current.localRefresher ? "uas" : "uac";
  }
  return { kind: "accept", interval, refresher, require: uacSupports };
}

/** The header fields of a 2xx granting `negotiation` (RFC 4028 9). */
export function uasResponseHeaders(negotiation: UasNegotiation): HeaderList {
  if (negotiation.kind !== "accept") return [];
  const headers: HeaderList = [
    ["Session-Expires", formatSessionExpires(negotiation.interval, negotiation.refresher)],
  ];
  if (negotiation.require) headers.push(["Require", "timer"]);
  return headers;
}

/**
 * RFC 4028 7.1 / 7.4: the Session-Expires and Min-SE a UAC puts in an INVITE or UPDATE (with
 * Supported: timer, which the caller writes with its other option tags).
 */
export function uacRequestHeaders(interval: number, minSE: number, refresher?: Refresher): HeaderList {
  return [
    ["Session-Expires", formatSessionExpires(interval, refresher)],
    ["Min-SE", String(Math.max(minSE, MIN_SE_FLOOR))],
  ];
}

/**
 * RFC 4028 7.2: how a UAC reads the 2xx: the session interval is the Session-Expires of the
 * response, and the refresher its refresher parameter ("uac" means Parley). Undefined when the
 * 2xx carries no Session-Expires: "there is no session expiration".
 */
export function uacOutcome(response: SipResponse): { interval: number; localRefresher: boolean } | undefined {
  const se = parseSessionExpires(response);
  if (se === undefined) return undefined;
  return { interval: se.interval, localRefresher: se.refresher !== "uas" };
}

/**
 * RFC 4028 7.4: after a 422 the UAC retries "with a Session-Expires ... equal to the Min-SE of the
 * 422". Undefined when the 422 names no usable Min-SE.
 */
export function intervalAfter422(response: SipResponse, current: number): number | undefined {
  const minSE = parseMinSE(response);
  // A Min-SE not above what was asked gives the retry no chance: give up instead of looping.
  if (minSE === undefined || minSE <= current) return undefined;
  return minSE;
}
