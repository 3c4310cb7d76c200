/**
 * The dialog event package (RFC 4235) for busy lamp fields: a watched user's calls as
 * `application/dialog-info+xml`, each a <dialog> in state early (ringing; with the caller's
 * identity, so the BLF key can pick the call up), confirmed (talking) or terminated (just ended).
 * Every NOTIFY carries the full state (`state="full"`) with the subscription's own version,
 * incremented by one per body (RFC 4235 4.1), and a call that has ended since the last NOTIFY to
 * that subscriber is sent once as terminated: the lamp always learns the end, never stays lit.
 */
import type { UserDialog } from "../call/call-control.js";
import type { Admission, EventPackage, SubscriptionTarget } from "./event-package.js";
import { escapeXml } from "./xml-text.js";

/** RFC 4235 3: the package name and the body's media type. */
export const DIALOG = "dialog";
export const DIALOG_INFO_XML = "application/dialog-info+xml";
const DEFAULT_EXPIRES = 3600;

export interface DialogPackageOptions {
  /** The watched user's calls now (CallControl.dialogsOf). */
  readonly dialogsOf: (domainId: number, user: string) => readonly UserDialog[];
  /** The host of the entity and identity URIs (Parley's domain or address). */
  readonly host: string;
  /** Who may watch whom (presence-admission.ts). */
  readonly admit: (target: SubscriptionTarget) => Admission | Promise<Admission>;
}

/** What one subscriber has been told: its version counter and the calls it saw in progress. */
interface Told {
  version: number;
  dialogs: Map<string, UserDialog>;
  /** Each call's state as last sent ("id state"), to send nothing when none changed. */
  sent: string;
}

export function dialogPackage(o: DialogPackageOptions): EventPackage {
  const told = new WeakMap<SubscriptionTarget, Told>();
  const uri = (user: string) => `sip:${user}@${o.host}`;
  return {
    name: DIALOG,
    contentType: DIALOG_INFO_XML,
    defaultExpires: DEFAULT_EXPIRES,
    admit: o.admit,
    body: async (target, mustSend) => {
      const now = o.dialogsOf(target.domainId, target.resource);
      const summary = now.map((d) => `${d.id} ${d.state}`).join(",");
      let state = told.get(target);
      if (state === undefined) {
        // RFC 4235 4.1: the version starts at 0 with the first NOTIFY of the subscription.
        state = { version: 0, dialogs: new Map(), sent: summary };
        told.set(target, state);
      } else {
        // A call event that changed nothing this lamp shows (a second 180): no NOTIFY.
        if (summary === state.sent && mustSend !== true) return null;
        state.version++;
        state.sent = summary;
      }
      const ended = [...state.dialogs.values()].filter((d) => !now.some((n) => n.id === d.id));
      state.dialogs = new Map(now.map((d) => [d.id, d]));
      const entries = [
        ...ended.map((d) => dialogXml(d, "terminated", uri(target.resource), uri)),
        ...now.map((d) =>
          dialogXml(d, d.state === "answered" ? "confirmed" : "early", uri(target.resource), uri),
        ),
      ];
      return (
        '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
        `<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="${state.version}" state="full" entity="${escapeXml(uri(target.resource))}">\r\n` +
        entries.join("") +
        "</dialog-info>\r\n"
      );
    },
  };
}

/** One <dialog> (RFC 4235 4.1.6): its state, and the local and remote identities. */
function dialogXml(d: UserDialog, state: string, local: string, uri: (user: string) => string): string {
  const remote = uri(d.remote.user);
  const display = d.remote.displayName === "" ? "" : ` display="${escapeXml(d.remote.displayName)}"`;
  return (
    `  <dialog id="${escapeXml(d.id)}" call-id="${escapeXml(d.id)}" direction="${d.direction}">\r\n` +
    `    <state>${state}</state>\r\n` +
    `    <local><identity>${escapeXml(local)}</identity><target uri="${escapeXml(local)}"/></local>\r\n` +
    `    <remote><identity${display}>${escapeXml(remote)}</identity><target uri="${escapeXml(remote)}"/></remote>\r\n` +
    "  </dialog>\r\n"
  );
}
