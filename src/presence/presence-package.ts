/**
 * The presence event package (RFC 3856) with PIDF bodies (RFC 3863) and RPID activities
 * (RFC 4480): a local user is `open` while a device is registered and do-not-disturb is off,
 * `closed` otherwise; "on-the-phone" while it talks, "busy" in do-not-disturb; a note says it in
 * words ("Online", "On the phone", "Ringing", "Do not disturb", "Offline") for softphones that
 * show text. The state comes from the registrar and the call engine (issue 19), composed with
 * what the user's devices PUBLISH (RFC 3903).
 */
import type { Admission, EventPackage, SubscriptionTarget } from "./event-package.js";
import type { PublishedState } from "./pidf-read.js";
import { escapeXml } from "./xml-text.js";

/** RFC 3856 6.1 / RFC 3863: the package name and the body's media type. */
export const PRESENCE = "presence";
export const PIDF_XML = "application/pidf+xml";
const DEFAULT_EXPIRES = 3600;

export type PresenceState = "offline" | "online" | "ringing" | "talking";

/** What of a user's settings presence honours (the miniSIPServer documents: DND, forwarding). */
export interface PresenceSettings {
  readonly dnd: boolean;
  /** Unconditional forwarding's number while it is on. */
  readonly forwardedTo?: string;
}

export interface PresencePackageOptions {
  /** The user's live state (CallEngine.userState: talking, ringing, else registration). */
  readonly userState: (domainId: number, user: string) => PresenceState;
  /** The user's do-not-disturb and unconditional forwarding (its number, when active). */
  readonly settings: (domainId: number, user: string) => Promise<PresenceSettings>;
  /** The host of the entity URIs. */
  readonly host: string;
  readonly admit: (target: SubscriptionTarget) => Admission | Promise<Admission>;
  /** What the user's own devices published last (RFC 3903; publications.ts), if anything. */
  readonly published?: (domainId: number, user: string) => PublishedState | undefined;
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
        compose(
          o.userState(domainId, resource),
          await o.settings(domainId, resource),
          o.published?.(domainId, resource),
        ),
      ),
  };
}

/** What a watcher sees: basic status, RPID activities and a note. */
export interface ComposedPresence {
  readonly open: boolean;
  readonly activities: readonly string[];
  readonly note: string;
}

const NOTES: Readonly<Record<PresenceState, string>> = {
  offline: "Offline",
  online: "Online",
  ringing: "Ringing",
  talking: "On the phone",
};

/**
 * Parley's own knowledge first (do-not-disturb: closed and busy; unconditional forwarding: away,
 * with the number; a call: on the phone), then
 * what the user's devices published last (their basic status, activities such as "away", and
 * note), else registration: open while a device is registered.
 */
export function compose(
  state: PresenceState,
  settings: PresenceSettings,
  published: PublishedState | undefined,
): ComposedPresence {
  if (settings.dnd) return { open: false, activities: ["busy"], note: "Do not disturb" };
  // Every call goes elsewhere: away from this phone, reachable at the number.
  if (settings.forwardedTo !== undefined)
    return { open: true, activities: ["away"], note: `Calls forwarded to ${settings.forwardedTo}` };
  const onPhone = state === "talking" || state === "ringing";
  const activities = [...new Set([...(onPhone ? ["on-the-phone"] : []), ...(published?.activities ?? [])])];
  const open = published === undefined ? state !== "offline" : published.basic === "open";
  const own = published !== undefined && published.note !== "" && !onPhone;
  // Without a note of its own the words follow the basic status the watcher gets: a device that
  // published "open" (linphonec does, with no note) while unregistered is not "Offline".
  const fallback = onPhone ? NOTES[state] : NOTES[open ? "online" : "offline"];
  return { open, activities, note: own ? published.note : fallback };
}

/** The PIDF document: one tuple (basic status, contact), and the person's RPID activities. */
export function pidf(entity: string, presence: ComposedPresence): string {
  const note = escapeXml(presence.note);
  const activities = presence.activities
    .filter((a) => /^[a-z][a-z0-9-]*$/i.test(a))
    .map((a) => `<rpid:${a}/>`)
    .join("");
  const e = escapeXml(entity);
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
    '<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" ' +
    `xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="${e}">\r\n` +
    `  <tuple id="t1"><status><basic>${presence.open ? "open" : "closed"}</basic></status><contact>${e}</contact><note>${note}</note></tuple>\r\n` +
    `  <dm:person id="p1">${activities === "" ? "" : `<rpid:activities>${activities}</rpid:activities>`}<dm:note>${note}</dm:note></dm:person>\r\n` +
    "</presence>\r\n"
  );
}
