/**
 * Resource lists (RFC 4662) for operator consoles: a SUBSCRIBE to `sip:*all@<server>` for the
 * presence or dialog package, with `Supported: eventlist`, watches every user the subscriber may
 * see (everyone with "subscribe all users' presence / dialog info"; else its presence group).
 * Each NOTIFY is `multipart/related` (RFC 2387): an RLMI document (application/rlmi+xml, the
 * list's version counting up, full state) naming each user, then each user's own body (PIDF or
 * dialog-info) by Content-ID. Any user's change re-sends the list. Without `eventlist` support the
 * SUBSCRIBE gets 421 with `Require: eventlist` (RFC 4662 5.1).
 */
import { randomBytes } from "node:crypto";
import type { Admission, EventPackage, PackageBody, SubscriptionTarget } from "./event-package.js";
import { escapeXml } from "./xml-text.js";

/** The resource list of every visible user (`*` keeps it apart from any user name). */
export const ALL_USERS = "*all";
const RLMI_XML = "application/rlmi+xml";
const EVENTLIST: ReadonlyArray<readonly [string, string]> = [["Require", "eventlist"]];

export interface ResourceListOptions {
  readonly host: string;
  /** The users `watcher` may see, in a stable order (presence groups; everyone for subscribe-all). */
  readonly visibleUsers: (domainId: number, watcher: string) => Promise<readonly string[]>;
  /** Whether `watcher` is a local user (only they subscribe to lists). */
  readonly isUser: (domainId: number, watcher: string) => Promise<boolean>;
}

/** What one list subscription has been sent: its version, and a stable target per member. */
interface ListState {
  version: number;
  readonly members: Map<string, SubscriptionTarget>;
}

/** `inner` as it was, plus the `*all` resource list of its bodies. */
export function withResourceList(inner: EventPackage, o: ResourceListOptions): EventPackage {
  const lists = new WeakMap<SubscriptionTarget, ListState>();
  return {
    name: inner.name,
    contentType: inner.contentType,
    defaultExpires: inner.defaultExpires,
    admit: async (target): Promise<Admission> => {
      if (target.resource !== ALL_USERS) return inner.admit(target);
      if (target.eventlist !== true)
        return { ok: false, status: 421, reason: "Extension Required", headers: EVENTLIST };
      if (!(await o.isUser(target.domainId, target.watcher)))
        return { ok: false, status: 403, reason: "Forbidden" };
      return { ok: true, headers: EVENTLIST };
    },
    body: async (target, mustSend) => {
      if (target.resource !== ALL_USERS) return inner.body(target, mustSend);
      let state = lists.get(target);
      if (state === undefined) {
        state = { version: 0, members: new Map() };
        lists.set(target, state);
      } else {
        state.version++;
      }
      const users = await o.visibleUsers(target.domainId, target.watcher);
      const parts: Array<{ user: string; cid: string; body: string; contentType: string }> = [];
      for (const user of users) {
        let member = state.members.get(user);
        if (member === undefined) {
          // One stable target per member: the inner package keeps its per-subscription state
          // (a dialog-info version) on it.
          member = { domainId: target.domainId, watcher: target.watcher, resource: user };
          state.members.set(user, member);
        }
        const made = (await inner.body(member, true))!;
        const body = typeof made === "string" ? made : made.body;
        const contentType = typeof made === "string" ? inner.contentType : made.contentType;
        parts.push({
          user,
          cid: `${encodeURIComponent(user)}.${randomBytes(4).toString("hex")}@${o.host}`,
          body,
          contentType,
        });
      }
      return multipart(`sip:${ALL_USERS}@${o.host}`, state.version, parts, o.host);
    },
  };
}

/** RFC 4662 5.2 and 5.3: the RLMI document first (the `start` part), then each resource's state. */
function multipart(
  listUri: string,
  version: number,
  parts: ReadonlyArray<{ user: string; cid: string; body: string; contentType: string }>,
  host: string,
): PackageBody {
  const boundary = `parley-${randomBytes(8).toString("hex")}`;
  const rlmiCid = `rlmi.${randomBytes(4).toString("hex")}@${host}`;
  const resources = parts
    .map(
      (p) =>
        `  <resource uri="${escapeXml(`sip:${p.user}@${host}`)}"><instance id="${escapeXml(p.user)}" state="active" cid="${escapeXml(p.cid)}"/></resource>\r\n`,
    )
    .join("");
  const rlmi =
    '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
    `<list xmlns="urn:ietf:params:xml:ns:rlmi" uri="${escapeXml(listUri)}" version="${version}" fullState="true">\r\n` +
    resources +
    "</list>\r\n";
  const part = (cid: string, contentType: string, body: string) =>
    `--${boundary}\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <${cid}>\r\nContent-Type: ${contentType};charset="UTF-8"\r\n\r\n${body}\r\n`;
  const body =
    part(rlmiCid, RLMI_XML, rlmi) +
    parts.map((p) => part(p.cid, p.contentType, p.body)).join("") +
    `--${boundary}--\r\n`;
  return {
    body,
    contentType: `multipart/related;type="${RLMI_XML}";start="<${rlmiCid}>";boundary="${boundary}"`,
    headers: EVENTLIST,
  };
}
