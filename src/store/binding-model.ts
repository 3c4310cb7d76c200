/**
 * Registrations (bindings of RFC 3261 10) as the store keeps them, so a restart keeps phones
 * registered until their expiry. The registrar's memory is the truth; this is its write-through
 * copy (Kamailio's "write-through" location mode).
 */
import * as crypto from "node:crypto";
import type { Insertable, Selectable } from "kysely";
import type { BindingsTable } from "./schema.js";

export interface Binding {
  domainId: number;
  /** The user part of the address-of-record. */
  user: string;
  contactUri: string;
  /** RFC 3261 q-value, 0..1; undefined when the Contact had none. */
  q?: number;
  /** Epoch milliseconds. */
  expiresAt: number;
  callId: string;
  cseq: number;
  /** RFC 5626 `+sip.instance`, when present. */
  instanceId?: string;
  /** RFC 5626 `reg-id`, when present. */
  regId?: number;
  /** Path header URIs (RFC 3327), in order; [] when none. */
  path: string[];
  /** Where the REGISTER really came from (NAT: not what the Contact says). */
  sourceAddress: string;
  sourcePort: number;
  /** "udp" | "tcp" | "tls" | "ws" | "wss". */
  transport: string;
  /** The connection (flow) the binding is reached over, for connection-oriented transports. */
  flowId?: string;
  userAgent?: string;
  /** Epoch milliseconds. */
  updatedAt: number;
}

/**
 * The write-through store of bindings. Writes may be batched: each promise settles once its write
 * is durable (committed), reads see every write issued before them.
 */
export interface BindingRepository {
  /** Inserts or replaces the binding with the same (domain, user, contact URI). */
  upsert(binding: Binding): Promise<void>;
  /**
   * Writes refreshes of existing bindings (new expiry, Call-ID, CSeq and update time; the rest
   * unchanged), inserting any that is missing. Resolves once all are written; rejects with the
   * first failure, after writing the others.
   */
  refreshAll(bindings: readonly Binding[]): Promise<void>;
  /** Removes one binding; resolves to the number of rows removed (0 or 1). */
  remove(domainId: number, user: string, contactUri: string): Promise<number>;
  /** Removes every binding of one address-of-record; resolves to the number removed. */
  removeAllForUser(domainId: number, user: string): Promise<number>;
  /** Bindings whose expiry is after `nowMs` (epoch ms), for reloading at start. */
  listActive(nowMs: number): Promise<Binding[]>;
  /** Deletes bindings whose expiry is at or before `nowMs`; resolves to the number removed. */
  purgeExpired(nowMs: number): Promise<number>;
}

/** The unique key of a contact URI (its SHA-256): URIs may be longer than an index may be. */
export function contactKey(contactUri: string): string {
  // One-shot crypto.hash (Node >= 20.12) costs less than half of a createHash() object.
  return typeof crypto.hash === "function"
    ? crypto.hash("sha256", contactUri, "hex")
    : crypto.createHash("sha256").update(contactUri, "utf8").digest("hex");
}

/** q-values are stored in thousandths so the three engines agree exactly. */
function qToInt(q: number | undefined): number | null {
  return q === undefined ? null : Math.round(q * 1000);
}

export function bindingToRow(b: Binding): Insertable<BindingsTable> {
  return {
    domain_id: b.domainId,
    user_name: b.user,
    contact_uri: b.contactUri,
    contact_key: contactKey(b.contactUri),
    q: qToInt(b.q),
    expires_at: b.expiresAt,
    call_id: b.callId,
    cseq: b.cseq,
    instance_id: b.instanceId ?? null,
    reg_id: b.regId ?? null,
    path: JSON.stringify(b.path),
    source_address: b.sourceAddress,
    source_port: b.sourcePort,
    transport: b.transport,
    flow_id: b.flowId ?? null,
    user_agent: b.userAgent ?? null,
    updated_at: b.updatedAt,
  };
}

function parsePath(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

export function rowToBinding(r: Selectable<BindingsTable>): Binding {
  const binding: Binding = {
    domainId: Number(r.domain_id),
    user: r.user_name,
    contactUri: r.contact_uri,
    expiresAt: Number(r.expires_at),
    callId: r.call_id,
    cseq: Number(r.cseq),
    path: parsePath(r.path),
    sourceAddress: r.source_address,
    sourcePort: Number(r.source_port),
    transport: r.transport,
    updatedAt: Number(r.updated_at),
  };
  if (r.q !== null) binding.q = Number(r.q) / 1000;
  if (r.instance_id !== null) binding.instanceId = r.instance_id;
  if (r.reg_id !== null) binding.regId = Number(r.reg_id);
  if (r.flow_id !== null) binding.flowId = r.flow_id;
  if (r.user_agent !== null) binding.userAgent = r.user_agent;
  return binding;
}

/** The columns an upsert replaces when the binding already exists: all but the key. */
export const UPDATABLE_BINDING_COLUMNS = [
  "q",
  "expires_at",
  "call_id",
  "cseq",
  "instance_id",
  "reg_id",
  "path",
  "source_address",
  "source_port",
  "transport",
  "flow_id",
  "user_agent",
  "updated_at",
] as const;
