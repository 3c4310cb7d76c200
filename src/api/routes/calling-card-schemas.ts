/**
 * The calling card API's payloads (issue 18): cards and rates as the API shows them (money as
 * decimals of the card's currency, at most 4 places; times ISO 8601), their create and patch
 * bodies, and the import's answer. The web UI imports these types. The PIN is shown, as users'
 * voicemail PINs and conference PINs are: the administrator hands cards out with it (and the CSV
 * export carries it, so an import restores cards as they were); scripts never see it (card.find).
 */
import { type Static, Type } from "typebox";
import { Stamps } from "../timestamps.js";

const money = (description: string) =>
  Type.Number({ minimum: 0, description: `${description} A decimal with at most 4 places.` });

const cardFields = {
  number: Type.String({ description: "1-32 digits: what the caller keys in after `*300*`." }),
  pin: Type.String({ description: "1-16 digits, asked after the number (three tries)." }),
  balance: money("What is left on the card, in its currency (debited as calls talk)."),
  currency: Type.String({ description: 'ISO 4217 code ("USD" by default).' }),
  expiresAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()], {
    description: "When the card stops placing calls (ISO 8601); null = never.",
  }),
  enabled: Type.Boolean({ description: "A disabled card places no calls; its balance stays." }),
};

export const CallingCardItem = Type.Object(
  {
    id: Type.Integer(),
    ...cardFields,
    expired: Type.Boolean({ description: "Past its expiry now." }),
    ...Stamps(),
  },
  { description: "A prepaid calling card." },
);
export type CallingCardItemType = Static<typeof CallingCardItem>;

export const NewCallingCardBody = Type.Object(
  {
    number: cardFields.number,
    pin: cardFields.pin,
    balance: Type.Optional(cardFields.balance),
    currency: Type.Optional(cardFields.currency),
    expiresAt: Type.Optional(cardFields.expiresAt),
    enabled: Type.Optional(cardFields.enabled),
  },
  { additionalProperties: false },
);
export const CallingCardPatchBody = Type.Partial(Type.Object(cardFields), {
  additionalProperties: false,
  description:
    "The fields to change. `balance` sets the balance outright (a charge of a call in progress made meanwhile is overwritten): to add to it, POST .../credit.",
});

export const CreditBody = Type.Object(
  {
    amount: Type.Number({
      exclusiveMinimum: 0,
      description: "Added to the balance (at most 4 decimal places).",
    }),
  },
  { additionalProperties: false },
);

const rateFields = {
  prefix: Type.String({
    description:
      'Called numbers starting with this (digits, *, #, +, up to 32); "" = any number. The longest wins.',
  }),
  connectCharge: money("Charged once when the call is answered."),
  perMinute: money("Price of a minute of talk; each increment costs its share, rounded up to 1/10000."),
  firstIncrement: Type.Integer({ description: "Seconds the first charge covers (1-3600, default 60)." }),
  increment: Type.Integer({ description: "Seconds each later charge covers (1-3600, default 6)." }),
  description: Type.String({ maxLength: 128 }),
};

export const CallingCardRateItem = Type.Object(
  { id: Type.Integer(), ...rateFields, ...Stamps() },
  { description: "What calls to numbers with a prefix cost on a calling card." },
);
export type CallingCardRateItemType = Static<typeof CallingCardRateItem>;

export const NewCallingCardRateBody = Type.Object(
  {
    prefix: rateFields.prefix,
    perMinute: rateFields.perMinute,
    connectCharge: Type.Optional(rateFields.connectCharge),
    firstIncrement: Type.Optional(rateFields.firstIncrement),
    increment: Type.Optional(rateFields.increment),
    description: Type.Optional(rateFields.description),
  },
  { additionalProperties: false },
);
export const CallingCardRatePatchBody = Type.Partial(Type.Object(rateFields), {
  additionalProperties: false,
});

export const ImportResultBody = Type.Object(
  {
    created: Type.Integer({ description: "Rows that made a new record." }),
    updated: Type.Integer({ description: "Rows that changed an existing one (by its number or prefix)." }),
  },
  { description: "The import applied, every row of it." },
);

/** A CSV request body (the import routes parse it as text). */
export const CsvUpload = Type.Unsafe<string>({
  type: "string",
  description: "CSV (RFC 4180) with a header row.",
});
