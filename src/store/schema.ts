/**
 * The table shapes the query layer sees, identical on SQLite, MySQL/MariaDB and PostgreSQL.
 *
 * Portable column conventions (so the three engines return the same JavaScript values):
 * - booleans are integers 0/1 (MySQL has no real boolean; SQLite has none at all);
 * - times are epoch milliseconds in BIGINT columns (no engine time zones involved);
 * - lists are JSON text (never queried inside by SQL);
 * - q-values are integers in thousandths (RFC 3261 q = 0.000 .. 1.000), never floats.
 */
import type { ColumnType, Generated } from "kysely";

/** An integer column read back as a number (PostgreSQL's BIGINT is parsed as a number too). */
type Int = number;
/** A 0/1 integer column standing for a boolean. */
export type Flag = 0 | 1;

export interface DomainsTable {
  id: Generated<Int>;
  name: string;
  /** Digest realm (RFC 7616). Part of every stored HA1: changing it requires resetting passwords. */
  realm: string;
  /** 1: this domain accepts requests addressed to any host (IP or name) of the server. */
  accepts_any_host: Flag;
  created_at: Int;
  updated_at: Int;
  /** Issue 21 (migration 018): the SIP domain a tenant is told apart by on shared ports. */
  sip_domain: string | null;
  /** JSON TenantPorts, or null. */
  ports: string | null;
  /** JSON TenantLimits, or null. */
  limits: string | null;
  state: Generated<string>;
  /** A deleted tenant's CDRs are kept until then (epoch ms). */
  purge_at: Int | null;
}

export interface UsersTable {
  id: Generated<Int>;
  domain_id: Int;
  name: string;
  ha1_md5: string;
  ha1_sha256: string;
  display_name: string;
  no_answer_time: Int;
  specific_external_line: string;
  max_duration: Int;
  max_concurrent_calls: Int;
  max_concurrent_outgoing_calls: Int;
  call_right: Int;
  fwd_unconditional_enabled: Flag;
  fwd_unconditional_number: string;
  fwd_unreachable_enabled: Flag;
  fwd_unreachable_number: string;
  fwd_busy_enabled: Flag;
  fwd_busy_number: string;
  fwd_no_answer_enabled: Flag;
  fwd_no_answer_number: string;
  voicemail_on_unreachable_or_no_answer: Flag;
  email: string;
  follow_me_strategy: Int;
  follow_me_interval: Int;
  follow_me_a: string;
  follow_me_b: string;
  follow_me_c: string;
  auto_attendant: Flag;
  suppress_ring_group_on_direct_call: Flag;
  ringing_group_id: Int;
  pickup_group_id: Int;
  call_park: Flag;
  call_retrieve: Flag;
  call_waiting: Flag;
  /** Migration 004. */
  do_not_disturb: Flag;
  /** Migration 005. */
  voicemail_on_busy: Flag;
  voicemail_pin: string;
  multi_device: Flag;
  max_devices: Int;
  operator_break_in: Flag;
  operator_overstep: Flag;
  subscribe_all_presence: Flag;
  presence_group: Int;
  music_on_hold: Flag;
  relay_media: Flag;
  /** never | always | on-demand (migration 010). */
  recording: string;
  /** JSON array of IP addresses and CIDR ranges; "[]" when none. */
  ip_authorization: string;
  static_contact: string;
  created_at: Int;
  updated_at: Int;
}

export interface BindingsTable {
  id: Generated<Int>;
  domain_id: Int;
  /** The user part of the address-of-record. */
  user_name: string;
  contact_uri: string;
  /** SHA-256 (hex) of contact_uri: the unique key, since a URI may be longer than an index allows. */
  contact_key: string;
  /** q-value in thousandths, 0..1000; null when the Contact carried no q. */
  q: ColumnType<Int | null, Int | null, Int | null>;
  expires_at: Int;
  call_id: string;
  cseq: Int;
  instance_id: string | null;
  reg_id: Int | null;
  /** JSON array of Path header URIs (RFC 3327), "[]" when none. */
  path: string;
  source_address: string;
  source_port: Int;
  transport: string;
  flow_id: string | null;
  user_agent: string | null;
  updated_at: Int;
}

/** One row per finished call (call detail record), written once when the call ends. */
export interface CdrsTable {
  id: Generated<Int>;
  domain_id: Int;
  /** Parley's id of the call (not a SIP Call-ID: each leg has its own, in `legs`). */
  call_id: string;
  /** The calling number (user part) and the display name the caller presented. */
  caller: string;
  caller_name: string;
  /** The number as dialed. */
  dialed: string;
  /** The user or number finally reached or tried last; null when none was (e.g. 404). */
  callee: string | null;
  started_at: Int;
  answered_at: Int | null;
  ended_at: Int;
  /** Whole seconds from start to end (migration 012; before it, from answer to end). */
  duration: Int;
  /** Whole seconds from answer to end; 0 when unanswered (migration 012). */
  talk_time: Int;
  /** Why the call ended (cdr-model.ts HangupCause; migration 012). */
  hangup_cause: string;
  /** answered | busy | no-answer | failed | cancelled */
  disposition: string;
  /** The final SIP status and reason phrase the caller received. */
  sip_status: Int;
  sip_reason: string;
  /** JSON array of the legs (see cdr-model.ts CallLeg). */
  legs: string;
  /** JSON object of media statistics; null until the media relay reports any. */
  media: string | null;
  /** The call's recording id (migration 010); null when it was not recorded. */
  recording: string | null;
  /** The calling card that paid for the call (migration 016); null for any other call. */
  card: string | null;
  /** What the card was charged, in ten-thousandths of its currency (migration 016). */
  charge: Int | null;
}

/**
 * External lines, SIP trunks and dial plan rows (routing-repository.ts): one row per entity,
 * unique by (domain, kind, key), its fields as JSON validated by routing-model.ts.
 */
export interface RoutingConfigTable {
  id: Generated<Int>;
  domain_id: Int;
  /** line | trunk | dialplan | analyze | transition | refine */
  kind: string;
  /** The entity's unique key: a line's account, a trunk's ID, "plan prefix" of an analyze record. */
  key: string;
  config: string;
  /** analyze and refine: the record's id, numbered per kind (migration 013); else null. */
  record_id: Int | null;
  created_at: Int;
  updated_at: Int;
}

/** A voice message's metadata (migration 005); the audio is `<dataDir>/voicemail/<file>`. */
export interface VoicemailMessagesTable {
  id: Generated<Int>;
  domain_id: Int;
  /** The user (extension name) whose mailbox holds it. */
  mailbox: string;
  caller: string;
  caller_name: string;
  received_at: Int;
  duration_ms: Int;
  /** new | old */
  folder: string;
  /** The WAV file, relative to the voicemail folder. */
  file: string;
  /** Parley's id of the call that left it (the CDR's). */
  call_id: string;
}

/** Settings changed at run time, per domain (migration 005): a name and a JSON value. */
export interface SystemSettingsTable {
  domain_id: Int;
  name: string;
  value: string;
  updated_at: Int;
}

/** The black and white list (migration 006, list-model.ts): unique by (domain, caller, called). */
export interface CallListsTable {
  id: Generated<Int>;
  domain_id: Int;
  /** Digits, `*` (any) or `anonymous`. */
  caller_prefix: string;
  /** Digits or `*` (any). */
  called_prefix: string;
  /** black | white */
  kind: string;
  /** 0-100: the percentage of matching calls a black record blocks. */
  rate: Int;
  created_at: Int;
  updated_at: Int;
}

/** The IP black and white list (migration 006): an address or CIDR, unique per domain. */
export interface IpListsTable {
  id: Generated<Int>;
  domain_id: Int;
  address: string;
  /** accept | reject */
  kind: string;
  created_at: Int;
  updated_at: Int;
}

/** Hunt groups (migration 007): a number unique per domain; members as a JSON array of user names. */
export interface HuntGroupsTable {
  id: Generated<Int>;
  domain_id: Int;
  number: string;
  name: string;
  /** JSON array of user names, in hunting order. */
  members: string;
  /** linear | circular | parallel */
  strategy: string;
  ring_time: Int;
  /** busy | voicemail | number */
  no_answer: string;
  no_answer_target: string;
  created_at: Int;
  updated_at: Int;
}

/** Hunt group detection (migration 007): (dial plan, called number) unique per domain. */
export interface HuntDetectionsTable {
  id: Generated<Int>;
  domain_id: Int;
  dial_plan: string;
  called_number: string;
  hunt_group: string;
  created_at: Int;
  updated_at: Int;
}

export interface Database {
  domains: DomainsTable;
  users: UsersTable;
  bindings: BindingsTable;
  cdrs: CdrsTable;
  routing_config: RoutingConfigTable;
  voicemail_messages: VoicemailMessagesTable;
  system_settings: SystemSettingsTable;
  call_lists: CallListsTable;
  ip_lists: IpListsTable;
  hunt_groups: HuntGroupsTable;
  hunt_detections: HuntDetectionsTable;
}
