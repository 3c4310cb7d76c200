/** Parley's dialog layer (RFC 3261 12, 13, 14; RFC 3262; RFC 4028; RFC 6026 for the TU's part). */
export { Dialog } from "./dialog.js";
export type { DialogInit } from "./dialog-init.js";
export { DialogManager } from "./dialog-manager.js";
export { glareRetryDelay } from "./glare.js";
export {
  hasOptionTag,
  parseMinSE,
  parseRAck,
  parseRSeq,
  parseSessionExpires,
  type RAckValue,
  type Refresher,
  type SessionExpiresValue,
} from "./headers.js";
export {
  type RequestTarget,
  requestTarget,
  resolveIpLiteral,
  routeUri,
  type UriResolver,
} from "./request-target.js";
export { SessionRefresher } from "./session-refresher.js";
export { SessionTimer } from "./session-timer.js";
export { MIN_SE_FLOOR, negotiateAsUas, type UasNegotiation } from "./session-timer-negotiation.js";
export { TypedEmitter } from "./typed-emitter.js";
export * from "./types.js";
export { type InviteSpec, UacInvite, type UacInviteEvents, type UacInviteState } from "./uac-invite.js";
export {
  type ProgressOptions,
  UasInvite,
  type UasInviteEvents,
  type UasInviteState,
} from "./uas-invite.js";
