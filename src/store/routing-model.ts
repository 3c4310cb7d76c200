/**
 * External lines, SIP trunks and the dial plan tables as stored and as the API and CLI speak
 * them (FEATURES.md sections 3, 4, 5). Each entity is a zod schema: the single statement of its
 * fields, their ranges and defaults; the TypeScript types are inferred from it.
 */
import { z } from "zod";
import { ROUTE_TYPES, TRANSITION_TYPES } from "../routing/types.js";

const intIn = (min: number, max: number) =>
  z
    .int({ error: "must be an integer" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });
const bool = z.boolean({ error: "must be true or false" });
/** A limit: null = unlimited, 0 = none allowed. */
const limit = z.union([z.null(), intIn(0, 100_000)], {
  error: "must be null (unlimited) or an integer 0-100000",
});
/** Names that appear in URLs and CLI arguments. */
const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const name = z.string({ error: "must be a string" }).regex(NAME, {
  error: "must be 1-64 of letters, digits, '.', '_', '-'",
});
const nameOrEmpty = z.union([z.literal(""), name], {
  error: "must be empty or 1-64 of letters, digits, '.', '_', '-'",
});
/** A dialable prefix or number: digits and `*`, `#`, `+`. */
const digits = (min: number) =>
  z.string({ error: "must be a string" }).regex(new RegExp(`^[0-9*#+]{${min},32}$`), {
    error: min === 0 ? "must be 0-32 of digits, *, #, +" : "must be 1-32 of digits, *, #, +",
  });
/** A host name, an IPv4 address or an IPv6 address (bare or bracketed). */
const host = z
  .string({ error: "must be a string" })
  .regex(/^(\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*|[A-Za-z0-9]([A-Za-z0-9.-]{0,252}))$/, {
    error: "must be a host name or an IP address",
  });
const hostOrEmpty = z.union([z.literal(""), host], {
  error: "must be empty or a host name or an IP address",
});
const port = intIn(1, 65_535);
/** Printable ASCII without spaces (user names at a provider, `user@domain` included). */
const token = (max: number) =>
  z.string({ error: "must be a string" }).regex(new RegExp(`^[\\x21-\\x7e]{0,${max}}$`), {
    error: `must be 0-${max} printable characters without spaces`,
  });
const transport = z.enum(["udp", "tcp", "tls"], { error: "must be udp, tcp or tls" });
const groupId = intIn(0, 65_535);

export const externalLineSchema = z.strictObject(
  {
    /** 0: Parley registers to the provider; 1: an FXO gateway registers to Parley. */
    type: z.union([z.literal(0), z.literal(1)], { error: "must be 0 or 1" }).default(0),
    /** The line's identity: the user name toward the provider, or the gateway's user name. */
    account: z.string({ error: "must be a string" }).regex(/^[A-Za-z0-9._+*#-]{1,64}$/, {
      error: "must be 1-64 of letters, digits, '.', '_', '+', '*', '#', '-'",
    }),
    password: z
      .string({ error: "must be a string" })
      .regex(/^[\x20-\x7e]{0,64}$/, { error: "must be 0-64 printable characters" })
      .default(""),
    /** Provider host or domain (type 0); may be a logical name when an outbound proxy is used. */
    server: hostOrEmpty.default(""),
    serverPort: port.default(5060),
    transport: transport.default("udp"),
    /** Digest user name when it differs from the account ("" = the account). */
    authorizationId: token(128).default(""),
    authUserIncludesDomain: bool.default(false),
    /** Where incoming calls go: a destination number, or the auto-attendant (a later issue). */
    transferTo: z
      .enum(["destination", "auto-attendant"], { error: "must be destination or auto-attendant" })
      .default("destination"),
    /** Analyzed by the dial plan; "" = the original called number. */
    destinationNumber: digits(0).default(""),
    /** The dial plan incoming calls are analyzed with. */
    dialPlan: name.default("default"),
    outboundProxy: z
      .strictObject(
        { enabled: bool.default(false), address: hostOrEmpty.default(""), port: port.default(5060) },
        { error: "must be an object" },
      )
      .default({ enabled: false, address: "", port: 5060 }),
    /** Appended to the Request-URI of outgoing calls, e.g. `user=phone`. */
    requestUriParameter: z
      .string({ error: "must be a string" })
      .regex(
        /^([A-Za-z0-9!%'*+._~-]+(=[A-Za-z0-9!%'*+._~[\]:/-]+)?(;[A-Za-z0-9!%'*+._~-]+(=[A-Za-z0-9!%'*+._~[\]:/-]+)?)*)?$/,
        {
          error: "must be empty or URI parameters like user=phone;x=y",
        },
      )
      .default(""),
    allUsers: bool.default(true),
    callerNumberAsDisplayName: bool.default(false),
    outgoingGroupId: groupId.default(0),
    /** Seconds; 0 = the system default. On expiry the next line is tried. */
    noAnswerTime: intIn(0, 3600).default(0),
    maxOutgoingCalls: limit.default(null),
    /** Seconds; 0 = no limit. */
    maxDuration: intIn(0, 86_400).default(0),
    /** Another line (its account) tried when a call on this one fails; "" = none. */
    chainTo: z
      .string({ error: "must be a string" })
      .max(64, { error: "must be at most 64 characters" })
      .default(""),
    disable100rel: bool.default(false),
    doNotRegister: bool.default(false),
    /** Authenticated REGISTERs with a fresh Call-ID (providers answering 400 Invalid CSeq). */
    freshCallIdOnAuth: bool.default(false),
    /** Seconds asked for in REGISTER. */
    registerExpires: intIn(60, 86_400).default(3600),
    relayMedia: bool.default(false),
    /** Record every answered call in or out on this line (issue 17). */
    recordCalls: bool.default(false),
    maxConcurrentCalls: limit.default(null),
  },
  { error: "must be an object" },
);
export type ExternalLine = z.infer<typeof externalLineSchema>;

export const sipTrunkSchema = z.strictObject(
  {
    trunkId: name,
    description: z
      .string({ error: "must be a string" })
      .max(256, { error: "must be at most 256 characters" })
      .default(""),
    address: host,
    port: port.default(5060),
    transport: transport.default("udp"),
    maxIncomingCalls: limit.default(null),
    maxOutgoingCalls: limit.default(null),
    outgoingGroupId: groupId.default(0),
    relayMedia: bool.default(false),
    /** Record every answered call in or out through this trunk (issue 17). */
    recordCalls: bool.default(false),
    /** Another trunk tried when a call through this one fails; "" = none. */
    failoverTrunk: nameOrEmpty.default(""),
    /** The dial plan the trunk's incoming calls are analyzed with. */
    dialPlan: name.default("default"),
    /**
     * Ports besides `port` the trunk's requests may come from (UDP source ports, or the remote
     * ports of TCP/TLS connections it opens): trunk-peer.ts (issue 22).
     */
    sourcePorts: z
      .array(port, { error: "must be a list of ports" })
      .max(64, { error: "at most 64 ports" })
      .default([]),
    /** Trust any request from the trunk's address, whatever its port or transport (explicit). */
    trustAddress: bool.default(false),
  },
  { error: "must be an object" },
);
export type SipTrunk = z.infer<typeof sipTrunkSchema>;

export const dialPlanSchema = z.strictObject(
  {
    name,
    /** Local users who dial with this plan (users in none use `default`). */
    users: z
      .array(z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, { error: "must be a user name" }), {
        error: "must be a list of user names",
      })
      .max(10_000)
      .default([]),
  },
  { error: "must be an object" },
);
export type DialPlan = z.infer<typeof dialPlanSchema>;

export const analyzeSchema = z.strictObject(
  {
    dialPlan: name.default("default"),
    prefix: digits(0),
    routeType: z.enum(ROUTE_TYPES, { error: `must be one of ${ROUTE_TYPES.join(", ")}` }),
    externalLine: z.string({ error: "must be a string" }).max(64).default(""),
    outgoingGroupId: groupId.default(0),
    sipTrunk: nameOrEmpty.default(""),
    /** Optional: records stored before ringing-group routes have none. */
    ringingGroupId: groupId.optional(),
    /** script (issue 18): the service script that takes the call. Optional: older records have none. */
    script: z
      .string({ error: "must be a string" })
      .regex(/^([a-z0-9_-]{1,64})?$/, { error: "must be a script name: 1-64 of a-z, 0-9, _ and -" })
      .optional(),
    rejectStatus: intIn(0, 699).default(0),
    changeNumber: bool.default(false),
    transitionId: intIn(0, 1_000_000).default(0),
    reanalyze: bool.default(false),
    callRight: intIn(0, 255).default(0),
  },
  { error: "must be an object" },
);
export type AnalyzeInput = z.infer<typeof analyzeSchema>;
export type StoredAnalyzeRecord = AnalyzeInput & { id: number };

export const transitionSchema = z.strictObject(
  {
    id: intIn(1, 1_000_000),
    type: z.enum(TRANSITION_TYPES, { error: "must be delete, replace or insert" }),
    start: intIn(0, 32).default(0),
    length: intIn(0, 32).default(0),
    text: digits(0).default(""),
  },
  { error: "must be an object" },
);
export type StoredTransition = z.infer<typeof transitionSchema>;

export const refineSchema = z.strictObject(
  {
    outgoingGroupId: intIn(1, 65_535),
    prefix: digits(0),
    transitionId: intIn(1, 1_000_000),
  },
  { error: "must be an object" },
);
export type RefineInput = z.infer<typeof refineSchema>;
export type StoredRefineRecord = RefineInput & { id: number };
