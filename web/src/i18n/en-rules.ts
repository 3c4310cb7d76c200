/**
 * English for the rules a field error names (field-rules.ts): a JSON Schema pattern described in
 * words ("digits, *, # and + only, at most 32 characters"), and the API's type errors. Spread into
 * en.ts.
 */
export const enRules = {
  "rule.sentence": "{text}.",
  "rule.only": "{chars} only",
  "rule.lengthRange": "{min}-{max} characters",
  "rule.lengthMax": "at most {max} characters",
  "rule.lengthExact": "exactly {n} characters",
  "rule.lengthMin": "at least {min} characters",
  "rule.notEmpty": "not empty",
  "rule.listSeparator": ", ",
  "rule.listLast": " and ",
  "rule.partSeparator": ", ",
  "rule.digits": "digits",
  "rule.letters": "letters",
  "rule.lowercase": "lowercase letters",
  "rule.uppercase": "capital letters",
  "rule.underscore": "_",
  "rule.printable": "printable characters (no accents or Chinese)",
  "rule.isoTime": "A date (2027-01-15) or a date and time with its zone (2027-01-15T08:00:00Z, …+08:00).",
  "rule.prefixOrAny": "Digits, *, # and + (1-32 of them), or * alone for any.",
  "rule.text": "Must be text.",
  "rule.number": "Must be a number.",
  "rule.boolean": "Must be yes or no.",
  "rule.list": "Must be a list.",
  "rule.object": "Must be a group of fields.",
} as const;
