/**
 * Reads what a device publishes about its user (RFC 3903 PUBLISH of a PIDF document, RFC 3863,
 * with RPID activities, RFC 4480): the basic status of its tuples, the person's activities and a
 * note. A body that is not well-formed XML, whose root is not <presence>, or that has no entity
 * is refused with a reason naming the problem (the PUBLISH gets 400 with it).
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";

/** One device's published state. */
export interface PublishedState {
  /** RFC 3863 4.1.4: open when any tuple says open. */
  readonly basic: "open" | "closed";
  /** RPID activity names (away, busy, on-the-phone, meeting, ...), without their prefix. */
  readonly activities: readonly string[];
  /** The first note, if any. */
  readonly note: string;
}

export type PidfRead =
  | { readonly ok: true; readonly state: PublishedState }
  | { readonly ok: false; readonly reason: string };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  // PIDF documents name their namespaces with any prefix (dm:, rpid:, pidf:, none): match by local name.
  removeNSPrefix: true,
  // Every element as a list, so one tuple and several read alike.
  isArray: (name, _path, _leaf, isAttribute) => !isAttribute && name !== "presence",
  processEntities: true,
});

type Node = Record<string, unknown>;

export function readPidf(body: string): PidfRead {
  const valid = XMLValidator.validate(body);
  if (valid !== true)
    return { ok: false, reason: `malformed PIDF: ${valid.err.msg} (line ${valid.err.line})` };
  const doc = parser.parse(body) as Node;
  if (!("presence" in doc))
    return { ok: false, reason: "malformed PIDF: the root element is not <presence>" };
  // An empty <presence/> parses as text: no attributes, no tuples.
  const presence = (typeof doc.presence === "object" && doc.presence !== null ? doc.presence : {}) as Node;
  if (typeof presence["@entity"] !== "string" || presence["@entity"] === "")
    return { ok: false, reason: "malformed PIDF: <presence> has no entity" };
  const tuples = list(presence.tuple);
  const basics = tuples.flatMap((t) => list(t.status).flatMap((s) => list(s.basic).map(text)));
  if (basics.some((b) => b !== "open" && b !== "closed"))
    return { ok: false, reason: "malformed PIDF: <basic> must be open or closed" };
  const activities = list(presence.person).flatMap((p) =>
    list(p.activities).flatMap((a) => Object.keys(a).filter((k) => !k.startsWith("@") && k !== "#text")),
  );
  const notes = [...tuples, ...list(presence.person)].flatMap((n) => list(n.note).map(text));
  return {
    ok: true,
    state: {
      basic: basics.includes("open") || (basics.length === 0 && activities.length > 0) ? "open" : "closed",
      activities,
      note: notes.find((n) => n !== "") ?? "",
    },
  };
}

function list(value: unknown): Node[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map((v) =>
    typeof v === "object" && v !== null ? (v as Node) : { "#text": v },
  );
}

function text(node: Node): string {
  const t = node["#text"];
  return typeof t === "string" || typeof t === "number" ? String(t).trim() : "";
}
