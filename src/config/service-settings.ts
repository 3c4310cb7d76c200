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
  voicemailCode: {
    flag: "--voicemail-code <code>",
    describe: 'feature code of voicemail access by phone: own mailbox ("" = off)',
    schema: featureCode,
    default: "*97",
  },
  voicemailAnyCode: {
    flag: "--voicemail-any-code <code>",
    describe: 'feature code of voicemail access to any mailbox, by mailbox number and PIN ("" = off)',
    schema: featureCode,
    default: "*98",
  },
  voicemailMaxSeconds: {
    flag: "--voicemail-max-seconds <s>",
    describe: "longest voice message a caller can leave, in seconds",
    schema: z.coerce.number().int().min(5).max(3600),
    default: 120,
  },
  voicemailMinMs: {
    flag: "--voicemail-min-ms <ms>",
    describe: "shorter voice messages are discarded (a caller who hung up at the beep), in ms",
    schema: z.coerce.number().int().min(0).max(10_000),
    default: 1000,
  },
  voicemailSilenceSeconds: {
    flag: "--voicemail-silence-seconds <s>",
    describe: "silence that ends a voice message (trimmed from it), in seconds; 0 = never",
    schema: z.coerce.number().int().min(0).max(60),
    default: 5,
  },
  parkTimeout: {
    flag: "--park-timeout <s>",
    describe: "a parked call not retrieved within this many seconds rings back the user who parked it",
    schema: z.coerce.number().int().min(1).max(3600),
    default: 60,
  },
  recordingRetentionDays: {
    flag: "--recording-retention-days <days>",
    describe: "call recordings older than this many days are deleted (daily, and at start); 0 = keep forever",
    schema: z.coerce.number().int().min(0).max(36_500),
    default: 90,
  },
  recordingChannels: {
    flag: "--recording-channels <mode>",
    describe: "call recordings: mono (both directions mixed) or stereo (the caller left, the callee right)",
    schema: z.enum(["mono", "stereo"]),
    default: "mono",
  },
  smtpHost: {
    flag: "--smtp-host <host>",
    describe:
      "SMTP server that mails voice messages (default: none; can be set in the web UI and API too, which then takes precedence)",
    schema: z.string().trim().min(1),
    default: undefined,
  },
  smtpPort: {
    flag: "--smtp-port <port>",
    describe: "SMTP port",
    schema: z.coerce.number().int().min(1).max(65_535),
    default: 25,
  },
  smtpSecurity: {
    flag: "--smtp-security <mode>",
    describe: "none, starttls (required) or tls (implicit, usually port 465)",
    schema: z.enum(["none", "starttls", "tls"]),
    default: "none",
  },
  smtpUser: {
    flag: "--smtp-user <user>",
    describe: "SMTP user name (default: no authentication)",
    schema: z.string().min(1),
    default: undefined,
  },
  smtpPassword: {
    flag: "--smtp-password <password>",
    describe: "SMTP password",
    schema: z.string(),
    default: undefined,
  },
  smtpFrom: {
    flag: "--smtp-from <address>",
    describe: "sender address of voicemail mails",
    schema: z.string().trim().min(3),
    default: "parley@localhost",
  },
} as const;
