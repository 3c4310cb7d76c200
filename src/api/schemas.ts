/**
 * The API's TypeBox schemas: they validate input, type the handlers, serialize output and become
 * the OpenAPI document. User field names, meanings and bounds are the store's (store/user-model.ts,
 * store/user-validation.ts); the store validates again and owns the rules the schema cannot say
 * (e-mail and URI syntax, address ranges, cross-field rules).
 */
import type { Readable } from "node:stream";
import { type Static, type TOptional, type TSchema, Type } from "typebox";
import { CDR_LIMITS, DISPOSITIONS, LIMITS } from "../store/index.js";
import { UserPresenceItem } from "./presence-schema.js";
import { Timestamp } from "./timestamps.js";

const NAME_PATTERN = "^[A-Za-z0-9._-]{1,32}$";
const NUMBER_OR_EMPTY_PATTERN = "^[0-9*#+]{0,32}$";

const int = (minimum: number, maximum: number, description: string) =>
  Type.Integer({ minimum, maximum, description });

/** Every settable user field but the nested ones, with the description the docs show. */
function flatFields() {
  return {
    name: Type.String({
      pattern: NAME_PATTERN,
      description: "Extension number or name: 1-32 of letters, digits, '.', '_', '-'.",
    }),
    displayName: Type.String({ maxLength: 64, description: 'What the callee sees; "" = the number.' }),
    noAnswerTime: int(
      0,
      LIMITS.noAnswerTime,
      "Seconds an incoming call rings; 0 = the system's default no-answer time.",
    ),
    specificExternalLine: Type.String({
      maxLength: 128,
      description: 'The external line this user\'s out-group calls use; "" = any available line.',
    }),
    maxDuration: int(
      0,
      LIMITS.maxDuration,
      "Seconds after which an outgoing call is released; 0 = no limit.",
    ),
    maxConcurrentCalls: int(
      0,
      LIMITS.maxConcurrentCalls,
      "Calls in + out at once; 0 = can neither call nor be called.",
    ),
    maxConcurrentOutgoingCalls: int(
      0,
      LIMITS.maxConcurrentCalls,
      "Outgoing calls at once; 0 = cannot call out.",
    ),
    callRight: int(0, LIMITS.callRight, "Compared with the minimum call right a dial plan record requires."),
    voicemailOnUnreachableOrNoAnswer: Type.Boolean({
      description: "An unreachable or unanswered caller is offered voicemail, mailed to `email`.",
    }),
    voicemailOnBusy: Type.Boolean({
      description: "A busy caller (busy, do not disturb, no call waiting) is offered voicemail too.",
    }),
    voicemailPin: Type.String({
      pattern: "^[0-9]{0,16}$",
      description:
        'The mailbox PIN voicemail access by phone asks for; "" = none (own phone only, no PIN asked).',
    }),
    email: Type.String({ maxLength: 254, description: 'Where voice messages go; "" = none.' }),
    autoAttendant: Type.Boolean({ description: "This user is an auto-attendant." }),
    suppressRingGroupOnDirectCall: Type.Boolean({
      description: "A direct call rings only this user, not its ringing group.",
    }),
    ringingGroupId: int(0, LIMITS.groupId, "0 = none; users with the same id ring together."),
    pickupGroupId: int(0, LIMITS.groupId, "0 = none; members may pick up each other's ringing calls."),
    callPark: Type.Boolean(),
    callRetrieve: Type.Boolean(),
    callWaiting: Type.Boolean(),
    doNotDisturb: Type.Boolean({
      description:
        "Do not disturb: calls to this user take the busy path (forward on busy, voicemail or 486).",
    }),
    multiDevice: Type.Boolean({
      description: "One number, multi-devices: may register several devices (up to `maxDevices`).",
    }),
    maxDevices: int(1, LIMITS.maxDevices, "Device limit while `multiDevice` is on."),
    operatorBreakIn: Type.Boolean(),
    operatorOverstep: Type.Boolean(),
    subscribeAllPresence: Type.Boolean({
      description: "May subscribe to every user's presence / dialog state (operator consoles, BLF).",
    }),
    presenceGroup: int(0, LIMITS.groupId, "0 = sees all users; else only users of the same group."),
    musicOnHold: Type.Boolean(),
    relayMedia: Type.Boolean({ description: "Anchor this user's RTP in Parley." }),
    recording: Type.Union([Type.Literal("never"), Type.Literal("always"), Type.Literal("on-demand")], {
      description:
        "Call recording: never, every answered call, or on demand (the in-call feature code, *1# by default, starts and stops it).",
    }),
    ipAuthorization: Type.Array(Type.String({ maxLength: 64 }), {
      maxItems: LIMITS.ipAuthorization,
      description: "Addresses or CIDR ranges (IPv4/IPv6) trusted without digest and without REGISTER.",
    }),
    staticContact: Type.String({
      maxLength: 256,
      description: 'SIP URI where an IP-authorized user is reached without REGISTER; "" = none.',
    }),
  };
}

const forwardingRuleFields = () => ({
  enabled: Type.Boolean({ description: "The user's right to this forwarding is switched on." }),
  number: Type.String({
    pattern: NUMBER_OR_EMPTY_PATTERN,
    description:
      "Where calls go: digits, '*', '#', '+'; \"\" = none. The forwarding is active while enabled and set; the user may set and clear it by feature code (*93*number# / *93#).",
  }),
});

const followMeFields = () => ({
  strategy: int(
    0,
    2,
    "0: ring all destinations at once; 1: next when the current fails; 2: next after `interval`.",
  ),
  interval: int(1, LIMITS.followMeInterval, "Seconds before the next destination, for strategy 2."),
  destinations: Type.Array(Type.String({ pattern: NUMBER_OR_EMPTY_PATTERN }), {
    maxItems: 3,
    description: 'Destinations A, B, C; "" = unused.',
  }),
});

/** A closed object whose properties are all optional. */
function partialObject<P extends Record<string, TSchema>>(props: P, description?: string) {
  const optional = {} as { [K in keyof P]: TOptional<P[K]> };
  for (const key of Object.keys(props) as (keyof P)[]) {
    optional[key] = Type.Optional(props[key]) as TOptional<P[typeof key]>;
  }
  return Type.Object(optional, { additionalProperties: false, description });
}

const PASSWORD = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: "^[\\x20-\\x7e]+$",
  description: "Write-only: 1-64 printable ASCII characters. Never returned; only digest hashes are kept.",
  writeOnly: true,
});

const forwardingInput = () => {
  const rule = () => partialObject(forwardingRuleFields());
  return partialObject(
    { unconditional: rule(), unreachable: rule(), busy: rule(), noAnswer: rule() },
    "Call forwarding rules; only the rules and fields given change.",
  );
};

/** The body of a partial update (PATCH) and of a full replace (PUT). */
export const UserPatchBody = partialObject(
  {
    ...flatFields(),
    password: PASSWORD,
    forwarding: forwardingInput(),
    followMe: partialObject(followMeFields(), "Follow-me; only the fields given change."),
  },
  "Fields to change. A new `name` needs a new `password` (the digest hashes include the name).",
);

const { name: _name, ...optionalCreateFields } = UserPatchBody.properties;

/** The body of POST /users: name and password required, every other field defaulted. */
export const UserCreateBody = Type.Object(
  { ...optionalCreateFields, name: flatFields().name, password: PASSWORD },
  { additionalProperties: false, description: "A new local user; fields not given take their defaults." },
);

const forwardingRule = Type.Object(forwardingRuleFields());

/** A local user as the API returns it: every field of the store's LocalUser, never a password. */
export const User = Type.Object(
  {
    id: Type.Integer(),
    domainId: Type.Integer(),
    ...flatFields(),
    forwarding: Type.Object({
      unconditional: forwardingRule,
      unreachable: forwardingRule,
      busy: forwardingRule,
      noAnswer: forwardingRule,
    }),
    followMe: Type.Object(followMeFields()),
    createdAt: Timestamp("When the user was created."),
    updatedAt: Timestamp("When the user was last changed."),
    state: Type.Union(
      [Type.Literal("offline"), Type.Literal("online"), Type.Literal("ringing"), Type.Literal("talking")],
      {
        description:
          "Live state: online while a device is registered (or an IP-authorized user has a static contact).",
      },
    ),
    presence: Type.Optional(UserPresenceItem),
  },
  { description: "A local user (extension)." },
);

export const UserName = Type.Object({ name: Type.String({ description: "The user's name." }) });

export const UserListQuery = Type.Object({
  offset: Type.Integer({ minimum: 0, default: 0, description: "Users to skip." }),
  limit: Type.Integer({ minimum: 0, maximum: 1000, default: 100, description: "Users to return." }),
  search: Type.Optional(
    Type.String({
      maxLength: 64,
      description: "Case-insensitive substring of the name or the display name.",
    }),
  ),
});

export const UserPage = Type.Object({
  items: Type.Array(User),
  total: Type.Integer({ description: "Matching users in all pages." }),
  offset: Type.Integer(),
  limit: Type.Integer(),
});

export const Registration = Type.Object(
  {
    id: Type.String({ description: "The binding's id, for DELETE." }),
    domainId: Type.Integer(),
    user: Type.String(),
    contact: Type.String({ description: "The Contact URI the phone registered." }),
    transport: Type.String({ description: "udp, tcp, tls, ws or wss." }),
    sourceAddress: Type.String({ description: "Where the REGISTER really came from (NAT aware)." }),
    sourcePort: Type.Integer(),
    expiresAt: Type.String({ format: "date-time" }),
    expiresIn: Type.Integer({ minimum: 0, description: "Seconds left until the binding expires." }),
    userAgent: Type.Optional(Type.String()),
    instanceId: Type.Optional(Type.String({ description: "+sip.instance (RFC 5626), if given." })),
    q: Type.Optional(Type.Number({ description: "The Contact's q-value, if given." })),
    path: Type.Array(Type.String(), { description: "Path headers (RFC 3327) stored with the binding." }),
  },
  { description: "A live registration binding." },
);

export const RegistrationList = Type.Object({ items: Type.Array(Registration) });

export const RegistrationQuery = Type.Object({
  user: Type.Optional(Type.String({ description: "Only this user's bindings." })),
});

export const RegistrationId = Type.Object({ id: Type.String() });

export const BanItem = Type.Object(
  {
    address: Type.String(),
    since: Type.String({ format: "date-time" }),
    until: Type.String({ format: "date-time" }),
    expiresIn: Type.Integer({ minimum: 0, description: "Seconds left until the ban ends." }),
    reason: Type.String(),
    failures: Type.Integer({ description: "Failed authentications that led to the ban." }),
  },
  { description: "A source address banned after failed authentications." },
);

export const BanList = Type.Object({ items: Type.Array(BanItem) });

export const BanAddress = Type.Object({ address: Type.String({ description: "The banned IP address." }) });

export const Status = Type.Object({
  version: Type.String(),
  startedAt: Type.String({ format: "date-time" }),
  uptimeSeconds: Type.Integer({ minimum: 0 }),
  listeners: Type.Array(
    Type.Object({ protocol: Type.String(), address: Type.String(), port: Type.Integer() }),
  ),
  counts: Type.Object({}, { additionalProperties: Type.Integer(), description: "Named counters." }),
});

const dateTime = (description?: string) => Type.String({ format: "date-time", description });

/** ISO 8601: a UTC date, or a date and time with seconds optional and an explicit offset. */
export const ISO_TIME_PATTERN =
  "^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2}))?$";

const Disposition = Type.Enum(DISPOSITIONS, {
  description:
    "answered; busy (486/600); no-answer (rang out); failed (unknown number, unreachable, error); cancelled (the caller hung up first).",
});

/** The filters of GET /cdrs and GET /cdrs.csv. */
const cdrFilterFields = () => ({
  from: Type.Optional(
    Type.String({
      pattern: ISO_TIME_PATTERN,
      description: "Calls started at or after this time: `2027-01-15T08:00:00Z`, `...+01:00`, or a UTC date.",
    }),
  ),
  to: Type.Optional(
    Type.String({ pattern: ISO_TIME_PATTERN, description: "Calls started before this time (same forms)." }),
  ),
  number: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: CDR_LIMITS.number,
      description: "Only calls whose caller, dialed number or final callee is exactly this.",
    }),
  ),
  disposition: Type.Optional(Disposition),
});

export const CdrFilterQuery = Type.Object(cdrFilterFields());

export const CdrListQuery = Type.Object({
  ...cdrFilterFields(),
  offset: Type.Integer({ minimum: 0, default: 0, description: "Records to skip." }),
  limit: Type.Integer({ minimum: 0, maximum: 1000, default: 100, description: "Records to return." }),
});

export const CdrLeg = Type.Object(
  {
    role: Type.Union([Type.Literal("caller"), Type.Literal("callee")]),
    peer: Type.String({
      description:
        "The peer's URI, bare (no display name, no angle brackets, no header parameters): the caller's Contact URI, the callee device's, the provider's or trunk's request URI, or `parley:<service>` for a service of Parley (voicemail, auto-attendant, ...).",
    }),
    callId: Type.String({ description: "The leg's SIP Call-ID." }),
    status: Type.Integer({ description: "The leg's final SIP status; 0 when it had none." }),
    startedAt: dateTime(),
    answeredAt: Type.Optional(dateTime()),
    endedAt: dateTime(),
    forwardedBy: Type.Optional(
      Type.Array(Type.String(), {
        description: "A leg reached through forwarding: the users whose forwarding led to it, first to last.",
      }),
    ),
  },
  { description: "One SIP dialog of the call." },
);

export const Cdr = Type.Object(
  {
    id: Type.Integer(),
    domainId: Type.Integer(),
    callId: Type.String({ description: "Parley's id of the call (the id it had in /calls)." }),
    caller: Type.String({ description: "The calling number." }),
    callerName: Type.String({ description: 'The caller\'s display name; "" when none.' }),
    dialed: Type.String({ description: "The number as dialed." }),
    callee: Type.Optional(Type.String({ description: "The user or number finally reached or tried last." })),
    startedAt: dateTime(),
    answeredAt: Type.Optional(dateTime("Absent unless answered.")),
    endedAt: dateTime(),
    duration: Type.Integer({
      minimum: 0,
      description: "Seconds from start (the INVITE) to end, ringing included, rounded up.",
    }),
    talkTime: Type.Integer({
      minimum: 0,
      description: "Seconds from answer to end, rounded up; 0 if unanswered.",
    }),
    hangupCause: Type.String({
      description:
        "Why the call ended: caller-bye, callee-bye, caller-lost, callee-lost, transfer, max-duration, media-timeout, session-expired, ack-timeout, hangup-by-admin, server-shutdown, cancel, busy, no-answer, timeout, `rejected <status>` (e.g. `rejected 404`), error; `unknown` for answered calls recorded before causes were kept.",
    }),
    disposition: Disposition,
    sipStatus: Type.Integer({ description: "The final SIP status the caller received." }),
    sipReason: Type.String({ description: "Its reason phrase." }),
    legs: Type.Array(CdrLeg),
    media: Type.Optional(
      Type.Object({}, { additionalProperties: true, description: "Media statistics, when recorded." }),
    ),
    recording: Type.Optional(
      Type.String({
        description: "The call's recording: its id in /api/v1/recordings (audio at /recordings/{id}/audio).",
      }),
    ),
    card: Type.Optional(Type.String({ description: "The calling card that paid for the call: its number." })),
    charge: Type.Optional(
      Type.Number({
        minimum: 0,
        description:
          "What the call was charged to `card`, in the card's currency (at most 4 decimal places).",
      }),
    ),
  },
  { description: "A call detail record: one per finished call." },
);

/** CSV text, which handlers send as a stream (so the handler may send a Readable). */
export const CsvBody = Type.Unsafe<string | Readable>(Type.String());

export const CdrPage = Type.Object({
  items: Type.Array(Cdr, { description: "Newest first (by start time)." }),
  total: Type.Integer({ description: "Matching records in all pages." }),
  offset: Type.Integer(),
  limit: Type.Integer(),
});

export const ActiveCallItem = Type.Object(
  {
    id: Type.String({ description: "The call's id, for DELETE." }),
    domainId: Type.Integer(),
    caller: Type.String(),
    dialed: Type.String(),
    callee: Type.Optional(Type.String({ description: "The user or number reached, once known." })),
    state: Type.Union([Type.Literal("ringing"), Type.Literal("answered"), Type.Literal("ending")]),
    startedAt: dateTime(),
    answeredAt: Type.Optional(dateTime()),
    durationSeconds: Type.Integer({ minimum: 0, description: "Seconds since the answer; 0 while ringing." }),
    legs: Type.Array(
      Type.Object({
        role: Type.Union([Type.Literal("caller"), Type.Literal("callee")]),
        peer: Type.String(),
        callId: Type.String({ description: "The leg's SIP Call-ID." }),
        state: Type.Union([
          Type.Literal("calling"),
          Type.Literal("ringing"),
          Type.Literal("answered"),
          Type.Literal("ending"),
        ]),
        media: Type.Optional(
          Type.Object(
            {
              packetsIn: Type.Integer({ description: "RTP packets received from this leg's phone." }),
              bytesIn: Type.Integer(),
              packetsOut: Type.Integer({ description: "RTP packets sent to this leg's phone." }),
              bytesOut: Type.Integer(),
              lost: Type.Integer({
                description: "Packets lost from this leg's phone (RFC 3550 sequence numbers).",
              }),
              jitterMs: Type.Number({
                description: "Interarrival jitter of this leg's RTP (RFC 3550 A.8), ms.",
              }),
              latched: Type.Optional(
                Type.String({ description: "Where the phone's RTP really comes from." }),
              ),
            },
            { description: "Relayed RTP figures, when the call's media is anchored in Parley." },
          ),
        ),
      }),
      { description: "The caller's leg first, then the callee legs." },
    ),
    media: Type.Optional(
      Type.Object(
        { relayed: Type.Boolean(), reason: Type.String({ description: "setting, user or nat" }) },
        { description: "Present when the media is anchored in Parley." },
      ),
    ),
  },
  { description: "A call in progress." },
);

export const ActiveCallList = Type.Object({ items: Type.Array(ActiveCallItem) });

export const CallId = Type.Object({ id: Type.String({ description: "The call's id." }) });

export type UserBody = Static<typeof UserPatchBody>;
