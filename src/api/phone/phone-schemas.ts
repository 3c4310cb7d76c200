/**
 * The softphone API's payloads (issue 20): what the web phone page sends and reads. The page
 * imports these types (web/src/lib/phone-api.ts), so a change here fails its typecheck.
 */
import { type Static, Type } from "typebox";
import { DISPOSITIONS } from "../../store/index.js";
import { UserPresenceItem } from "../presence-schema.js";

const NAME_PATTERN = "^[A-Za-z0-9._-]{1,32}$";
const dateTime = (description?: string) => Type.String({ format: "date-time", description });

export const PhoneSignIn = Type.Object(
  {
    user: Type.String({ minLength: 1, maxLength: 64, description: "The extension (local user's name)." }),
    password: Type.String({
      maxLength: 256,
      writeOnly: true,
      description: "The user's SIP password (the one its phones register with), not the admin password.",
    }),
  },
  { additionalProperties: false },
);

export const PhoneSessionCreated = Type.Object({
  token: Type.String({
    description:
      "Send as `Authorization: Bearer <token>` to the /phone routes only: the admin API refuses it.",
  }),
  user: Type.String(),
  idleTimeout: Type.Integer({ description: "Seconds without a request after which the session expires." }),
});

export const PhoneMe = Type.Object({
  user: Type.String({ description: "The extension." }),
  displayName: Type.String({ description: 'What callees see; "" = the number.' }),
  domain: Type.String({ description: "Parley's domain (tenant) of the user." }),
  realm: Type.String({ description: "The digest realm REGISTER is challenged with." }),
  sipHost: Type.String({
    description:
      "The host to put in the user's SIP URI (`sip:<user>@<sipHost>`): its tenant's SIP domain, else the host the page was loaded from.",
  }),
  webSocket: Type.Object(
    {
      path: Type.String({
        description:
          "SIP over WebSocket (RFC 7118) on this same origin: `wss://<host><path>` when the page is HTTPS, else `ws://`.",
      }),
      wsPort: Type.Optional(
        Type.Integer({ description: "A standalone ws:// listener's port, when configured." }),
      ),
      wssPort: Type.Optional(
        Type.Integer({ description: "A standalone wss:// listener's port, when configured." }),
      ),
    },
    { description: "Where the phone may connect; the subprotocol is `sip`." },
  ),
  idleTimeout: Type.Integer({
    description: "Seconds without a request after which the phone session expires.",
  }),
});

export const PhoneCallsQuery = Type.Object({
  limit: Type.Integer({
    minimum: 1,
    maximum: 200,
    default: 50,
    description: "Calls to return, newest first.",
  }),
});

export const PhoneCall = Type.Object(
  {
    id: Type.Integer({ description: "The call detail record's id." }),
    direction: Type.Union([Type.Literal("outgoing"), Type.Literal("incoming")], {
      description: "outgoing: the user called; incoming: the user was called (or its number was dialed).",
    }),
    peer: Type.String({ description: "The other party's number: the number dialed, or the caller's." }),
    peerName: Type.String({ description: 'The caller\'s display name on an incoming call; "" otherwise.' }),
    startedAt: dateTime(),
    answeredAt: Type.Optional(dateTime("Absent unless answered.")),
    duration: Type.Integer({ minimum: 0, description: "Seconds from start to end, ringing included." }),
    talkTime: Type.Integer({ minimum: 0, description: "Seconds from answer to end; 0 if unanswered." }),
    disposition: Type.Enum(DISPOSITIONS),
  },
  { description: "One finished call of the user, from its call detail record." },
);

export const PhoneCallList = Type.Object({ items: Type.Array(PhoneCall) });

export const PhoneColleague = Type.Object({
  name: Type.String({ pattern: NAME_PATTERN }),
  displayName: Type.String(),
  state: Type.Union(
    [Type.Literal("offline"), Type.Literal("online"), Type.Literal("ringing"), Type.Literal("talking")],
    { description: "Registration and call state (the BLF lamp)." },
  ),
  presence: Type.Optional(UserPresenceItem),
});

export const PhonePresence = Type.Object({
  items: Type.Array(PhoneColleague, {
    description:
      "The users this user may watch (the presence group rule of SUBSCRIBE): everyone in group 0 or with 'subscribe all', else its own group; itself left out. At most 500, by name.",
  }),
});

export type PhoneSignInBody = Static<typeof PhoneSignIn>;
export type PhoneSessionCreatedBody = Static<typeof PhoneSessionCreated>;
export type PhoneMeBody = Static<typeof PhoneMe>;
export type PhoneCallItem = Static<typeof PhoneCall>;
export type PhoneCallListBody = Static<typeof PhoneCallList>;
export type PhoneColleagueItem = Static<typeof PhoneColleague>;
export type PhonePresenceBody = Static<typeof PhonePresence>;
