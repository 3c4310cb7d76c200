/**
 * TypeBox schemas of /api/v1/external-lines, /api/v1/sip-trunks, /api/v1/dialplans and
 * /api/v1/dialplan/*: they type the handlers, serialize output and document the OpenAPI. Field
 * meanings, bounds and defaults are the store's (store/routing-model.ts), which validates again
 * (patterns, references) and names each bad field.
 */
import { type TObject, type TProperties, Type } from "typebox";
import { OUTCOME_KINDS, type Outcome, SKIP_CODES, type SkipCode } from "../routing/route-explainer.js";
import { ROUTE_TYPES, TRANSITION_TYPES } from "../routing/types.js";

const int = (minimum: number, maximum: number, description: string) =>
  Type.Integer({ minimum, maximum, description });
const limit = (description: string) =>
  Type.Union([Type.Null(), Type.Integer({ minimum: 0, maximum: 100_000 })], {
    description: `${description} null = unlimited, 0 = none.`,
  });
const transport = Type.Union([Type.Literal("udp"), Type.Literal("tcp"), Type.Literal("tls")]);

const lineFields = {
  type: Type.Union([Type.Literal(0), Type.Literal(1)], {
    description: "0: Parley registers to the provider; 1: an FXO gateway registers to Parley.",
  }),
  account: Type.String({
    description: "User name toward the provider (type 0) or the gateway's (type 1). The line's key.",
  }),
  password: Type.String({ description: "May be blank (no authentication). Never returned." }),
  server: Type.String({
    description: "Provider host or domain (type 0); may be logical with an outbound proxy.",
  }),
  serverPort: int(1, 65_535, "Provider port."),
  transport,
  authorizationId: Type.String({
    description: 'Digest user name if it differs from the account ("" = the account).',
  }),
  authUserIncludesDomain: Type.Boolean({ description: "Digest user name in user@domain form." }),
  transferTo: Type.Union([Type.Literal("destination"), Type.Literal("auto-attendant")]),
  destinationNumber: Type.String({
    description: 'Incoming calls go here (analyzed); "" = the called number.',
  }),
  dialPlan: Type.String({ description: "Dial plan of incoming calls." }),
  outboundProxy: Type.Object(
    {
      enabled: Type.Optional(Type.Boolean()),
      address: Type.Optional(Type.String()),
      port: Type.Optional(int(1, 65_535, "Proxy port.")),
    },
    { additionalProperties: false, description: "Messages go to the proxy's address (IMS networks)." },
  ),
  requestUriParameter: Type.String({ description: "Appended to the Request-URI, e.g. user=phone." }),
  allUsers: Type.Boolean({ description: "All local users may use this line; else only users bound to it." }),
  callerNumberAsDisplayName: Type.Boolean({ description: "Original caller number as display name." }),
  outgoingGroupId: int(0, 65_535, "Groups lines and trunks for refine called number."),
  noAnswerTime: int(0, 3600, "Seconds; 0 = system default; on expiry the next line is tried."),
  maxOutgoingCalls: limit("Outgoing calls at once."),
  maxDuration: int(0, 86_400, "Seconds; 0 = no limit."),
  chainTo: Type.String({ description: 'Line tried next when a call fails ("" = none).' }),
  disable100rel: Type.Boolean({ description: "Strip 100rel from INVITEs." }),
  doNotRegister: Type.Boolean({ description: "The provider needs no REGISTER." }),
  freshCallIdOnAuth: Type.Boolean({ description: "Authenticated REGISTER with a fresh Call-ID." }),
  registerExpires: int(60, 86_400, "Seconds asked for in REGISTER."),
  relayMedia: Type.Boolean(),
  recordCalls: Type.Boolean({ description: "Record every answered call in or out on this line." }),
  maxConcurrentCalls: limit("Calls in + out at once."),
};

const trunkFields = {
  trunkId: Type.String({ description: "The trunk's key." }),
  description: Type.String(),
  address: Type.String({ description: "Peer server's address: calls are accepted only from it." }),
  port: int(1, 65_535, "Peer port."),
  transport,
  maxIncomingCalls: limit("Incoming calls at once."),
  maxOutgoingCalls: limit("Outgoing calls at once."),
  outgoingGroupId: int(0, 65_535, "Groups lines and trunks for refine called number."),
  relayMedia: Type.Boolean(),
  recordCalls: Type.Boolean({ description: "Record every answered call in or out through this trunk." }),
  failoverTrunk: Type.String({ description: 'Trunk tried when a call fails ("" = none).' }),
  dialPlan: Type.String({ description: "Dial plan of incoming calls." }),
  sourcePorts: Type.Array(int(1, 65_535, "A source port."), {
    maxItems: 64,
    description:
      "Ports besides `port` the trunk's requests may come from (UDP source ports, remote ports of its TCP/TLS connections).",
  }),
  trustAddress: Type.Boolean({
    description: "Trust any request from the trunk's address, whatever its port or transport.",
  }),
};

const dialPlanFields = {
  name: Type.String({ description: "The plan's name; `default` always exists." }),
  users: Type.Array(Type.String(), { description: "Local users who dial with this plan." }),
};

const analyzeFields = {
  dialPlan: Type.String(),
  prefix: Type.String({ description: "Called number prefix; the longest match wins." }),
  routeType: Type.Union(ROUTE_TYPES.map((t) => Type.Literal(t))),
  externalLine: Type.String({ description: 'external-line: a line\'s account; "" = any.' }),
  outgoingGroupId: int(0, 65_535, "external-line: the lines of this group; 0 = not by group."),
  sipTrunk: Type.String({ description: "sip-trunk: the trunk's ID." }),
  ringingGroupId: Type.Optional(
    int(0, 65_535, "ringing-group: the users with this ringing group ID ring together."),
  ),
  script: Type.Optional(
    Type.String({ description: "script: the service script (its name) that takes the call (issue 18)." }),
  ),
  rejectStatus: int(0, 699, "reject: the SIP status."),
  changeNumber: Type.Boolean(),
  transitionId: int(0, 1_000_000, "Transition applied when changeNumber."),
  reanalyze: Type.Boolean({ description: "Analyze the changed number again." }),
  callRight: int(0, 255, "Minimum call right; a caller below it gets 403."),
};

const transitionFields = {
  id: int(1, 1_000_000, "Transition ID."),
  type: Type.Union(TRANSITION_TYPES.map((t) => Type.Literal(t))),
  start: int(0, 32, "0-based position."),
  length: int(0, 32, "Digits deleted or replaced."),
  text: Type.String({ description: "Inserted or replacing digits." }),
};

const refineFields = {
  outgoingGroupId: int(1, 65_535, "The group of lines and trunks."),
  prefix: Type.String(),
  transitionId: int(1, 1_000_000, "Transition applied."),
};

/** Create body (the `required` fields), patch body (all optional) and the stored shape. */
function crud<P extends TProperties>(
  fields: P,
  required: ReadonlyArray<keyof P & string>,
  extra: TProperties = {},
  secret: readonly string[] = [],
) {
  const optional: TProperties = {};
  const shown: TProperties = { ...extra };
  for (const [k, v] of Object.entries(fields)) {
    optional[k] = required.includes(k) ? v : Type.Optional(v);
    if (!secret.includes(k)) shown[k] = v;
  }
  return {
    create: Type.Object(optional, { additionalProperties: false }) as TObject,
    patch: Type.Partial(Type.Object(fields, { additionalProperties: false })) as TObject,
    item: Type.Object(shown) as TObject,
  };
}

const liveLine = {
  state: Type.Union([Type.Literal("online"), Type.Literal("offline")], {
    description: "Registered at the provider (type 0) or gateway registered (type 1).",
  }),
  activeCalls: Type.Integer({ description: "Calls on this line now." }),
};
const liveTrunk = {
  state: Type.Union([Type.Literal("online"), Type.Literal("offline"), Type.Literal("unknown")], {
    description:
      "The peer answers OPTIONS (checked every 30 s and after a change); unknown before the first check.",
  }),
  activeIncomingCalls: Type.Integer(),
  activeOutgoingCalls: Type.Integer(),
};

export const LineSchemas = crud(lineFields, ["account"], liveLine, ["password"]);
export const TrunkSchemas = crud(trunkFields, ["trunkId", "address"], liveTrunk);
export const DialPlanSchemas = crud(dialPlanFields, ["name"]);
export const AnalyzeSchemas = crud(analyzeFields, ["prefix", "routeType"], { id: Type.Integer() });
export const TransitionSchemas = crud(transitionFields, ["id", "type"]);
export const RefineSchemas = crud(refineFields, ["outgoingGroupId", "prefix", "transitionId"], {
  id: Type.Integer(),
});

export const Key = Type.Object({ key: Type.String() });

export const DialPlanTestBody = Type.Object(
  {
    caller: Type.String({
      description: "A local user's name, a line's account or a trunk's ID (see origin).",
    }),
    number: Type.String({ pattern: "^[0-9*#+]{1,32}$", description: "The called number." }),
    origin: Type.Optional(
      Type.Union([Type.Literal("user"), Type.Literal("line"), Type.Literal("trunk")], {
        description: "Where the call comes from; default user.",
      }),
    ),
  },
  { additionalProperties: false },
);

export const DialPlanTestResult = Type.Object({
  dialed: Type.String(),
  dialPlan: Type.String(),
  route: Type.Object({}, { additionalProperties: true, description: "kind, number, line/trunk or status." }),
  steps: Type.Array(Type.Object({}, { additionalProperties: true }), {
    description: "Each analyze match, transition, call-right check, default rule.",
  }),
  attempts: Type.Array(
    Type.Object({
      kind: Type.Union([Type.Literal("line"), Type.Literal("trunk")]),
      id: Type.String(),
      number: Type.String({ description: "The number as it leaves (after refine called number)." }),
      refine: Type.Object({}, { additionalProperties: true }),
    }),
    { description: "Lines or trunks tried in order." },
  ),
  candidates: Type.Array(
    Type.Object({
      kind: Type.Union([
        Type.Literal("route"),
        Type.Literal("line"),
        Type.Literal("trunk"),
        Type.Literal("user"),
      ]),
      id: Type.String({ description: "Analyze record ID, default rule, line account, trunk ID or user." }),
      via: Type.String({
        description: "analyze, default, record, caller-line, pool (round robin), chain, failover, route.",
      }),
      tried: Type.Boolean(),
      number: Type.Optional(Type.String({ description: "Analyzed, or as it leaves on the line or trunk." })),
      skip: Type.Optional(Type.Unsafe<SkipCode>(Type.Union(SKIP_CODES.map((c) => Type.Literal(c))))),
      reason: Type.Optional(Type.String({ description: "Why it is not tried, in words." })),
    }),
    { description: "Every candidate looked at, in order: tried, or skipped and why." },
  ),
  outcome: Type.Object(
    {
      kind: Type.Unsafe<Outcome["kind"]>(Type.Union(OUTCOME_KINDS.map((k) => Type.Literal(k)))),
      status: Type.Optional(Type.Integer({ description: "refuse: the SIP status the call gets." })),
      reason: Type.Optional(Type.String({ description: "refuse: the SIP reason phrase." })),
      detail: Type.Optional(
        Type.String({ description: "refuse: why, in words (the call's Warning header carries it too)." }),
      ),
      number: Type.Optional(Type.String()),
      carriers: Type.Optional(Type.Array(Type.String(), { description: "outbound: lines or trunks tried." })),
      groupId: Type.Optional(Type.Integer()),
      script: Type.Optional(Type.String({ description: "script: the service script that takes the call." })),
    },
    { description: "What the real call gets: the call engine decides with the same code." },
  ),
  live: Type.Boolean({
    description:
      "The lines' and trunks' live state (registration, calls) was known; false without a SIP server (all taken as usable).",
  }),
});
