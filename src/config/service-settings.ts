/**
 * The start-up settings of Parley's own media and services (issue 14 on): the language callers
 * hear, the tone plan, and the feature codes of the test numbers. Part of the one settings table
 * (settings.ts spreads it in), kept apart so each file stays one topic.
 */
import { z } from "zod";

/** A feature code a phone dials: digits, * and #, or "" to turn the service's code off. */
const featureCode = z
  .string()
  .trim()
  .regex(/^([*#0-9]{2,16})?$/, "must be 2-16 of the keys 0-9, * and # (or empty for off)");

export const serviceSettingsTable = {
  language: {
    flag: "--language <lang>",
    describe: "language of the prompts callers hear: en (English) or zh (Simplified Chinese)",
    schema: z.enum(["en", "zh"]),
    default: "en",
  },
  tonePlan: {
    flag: "--tone-plan <plan>",
    describe: "call progress tones Parley plays: us (USA), eu (Europe, CEPT), cn (China)",
    schema: z.enum(["us", "eu", "cn"]),
    default: "us",
  },
  echoTestCode: {
    flag: "--echo-test-code <code>",
    describe: 'feature code of the echo test: what the caller says comes back ("" = off)',
    schema: featureCode,
    default: "*43",
  },
  promptTestCode: {
    flag: "--prompt-test-code <code>",
    describe: 'feature code of the prompt playback test ("" = off)',
    schema: featureCode,
    default: "*44",
  },
  recordTestCode: {
    flag: "--record-test-code <code>",
    describe: 'feature code of the record and playback test ("" = off)',
    schema: featureCode,
    default: "*45",
  },
} as const;
