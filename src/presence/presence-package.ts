/**
 * The presence event package (RFC 3856) with PIDF bodies (RFC 3863) and RPID activities
 * (RFC 4480): a local user is `open` while a device is registered and do-not-disturb is off,
 * `closed` otherwise; "on-the-phone" while it talks, "busy" in do-not-disturb; a note says it in
 * words ("Online", "On the phone", "Ringing", "Do not disturb", "Offline") for softphones that
 * show text. The state comes from the registrar and the call engine (issue 19).
 */
import type { Admission, EventPackage, SubscriptionTarget } from "./event-package.js";
import { escapeXml } from "./xml-text.js";

/** RFC 3856 6.1 / RFC 3863: the package name and the body's media type. */
export const PRESENCE = "presence";
export const PIDF_XML = "application/pidf+xml";
const DEFAULT_EXPIRES = 3600;

export type PresenceState = "offline" | "online" | "ringing" | "talking";

export interface PresencePackageOptions {
  /** The user's live state (CallEngine.userState: talking, ringing, else registration). */
  readonly userState: (domainId: number, user: string) => PresenceState;
  /** Whether the user has do-not-disturb on. */
  readonly doNotDisturb: (domainId: number, user: string) => Promise<boolean>;
  /** The host of the entity URIs. */
  readonly host: string;
  readonly admit: (target: SubscriptionTarget) => Admission | Promise<Admission>;
}

export function presencePackage(o: PresencePackageOptions): EventPackage {
  return {
    name: PRESENCE,
    contentType: PIDF_XML,
    defaultExpires: DEFAULT_EXPIRES,
    admit: o.admit,
    body: async ({ domainId, resource }) =>
      pidf(
        `sip:${resource}@${o.host}`,
        o.userState(domainId, resource),
        await o.doNotDisturb(domainId, resource),
      ),
  };
}

/** The PIDF document: one tuple (basic status, contact), and the person's RPID activity. */
export function pidf(entity: string, state: PresenceState, dnd: boolean): string {
  const open = state !== "offline" && !dnd;
  const activity = dnd ? "busy" : state === "talking" || state === "ringing" ? "on-the-phone" : undefined;
  const note = dnd
    ? "Do not disturb"
    : { offline: "Offline", online: "Online", ringing: "Ringing", talking: "On the phone" }[state];
  const e = escapeXml(entity);
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
    '<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" ' +
    `xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="${e}">\r\n` +
    `  <tuple id="t1"><status><basic>${open ? "open" : "closed"}</basic></status><contact>${e}</contact><note>${note}</note></tuple>\r\n` +
    `  <dm:person id="p1">${activity === undefined ? "" : `<rpid:activities><rpid:${activity}/></rpid:activities>`}<dm:note>${note}</dm:note></dm:person>\r\n` +
    "</presence>\r\n"
  );
}
