/**
 * Start-up settings: one table, three sources. Each setting is a config-file key, a command-line
 * flag and a PARLEY_* environment variable. Precedence: flag > environment > file > default.
 * A bad value stops start-up with a message naming the setting and where it came from.
 */
import { isIP } from "node:net";
import { z } from "zod";
import { cidrList } from "./cidr-list.js";
import { type OpsSettings, opsSettingsTable } from "./ops-settings.js";
import { serviceSettingsTable } from "./service-settings.js";

const port = z.coerce.number().int().min(1).max(65535);
const portOrOff = z.coerce.number().int().min(0).max(65535);
const boolish = z.union([
  z.boolean(),
  z
    .enum(["true", "false", "1", "0", "yes", "no", "on", "off"])
    .transform((v) => ["true", "1", "yes", "on"].includes(v)),
]);
const millis = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const ipList = z
  .string()
  .trim()
  .min(1)
  .transform((s) => s.split(",").map((a) => a.trim()))
  .refine(
    (list) => list.every((a) => /^[0-9a-fA-F:.]+$/.test(a) && a.length > 0),
    "must be IP addresses separated by commas",
  );

export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** The settings table. `flag` is the long option; the env variable is PARLEY_ + key in UPPER_SNAKE. */
export const settingsTable = {
  bind: {
    flag: "--bind <addresses>",
    describe: "addresses to listen on, comma-separated (0.0.0.0 = all IPv4, :: = all IPv6)",
    schema: ipList,
    default: "0.0.0.0,::",
  },
  sipPort: {
    flag: "--sip-port <port>",
    describe: "SIP port for UDP (and TCP unless --sip-tcp-port)",
    schema: port,
    default: 5060,
  },
  sipTcpPort: {
    flag: "--sip-tcp-port <port>",
    describe: "SIP TCP port (default: the SIP port; 0 = no TCP)",
    schema: portOrOff,
    default: undefined,
  },
  sipTlsPort: {
    flag: "--sip-tls-port <port>",
    describe: "SIP TLS port (0 = no TLS)",
    schema: portOrOff,
    default: 5061,
  },
  advertisedAddress: {
    flag: "--advertised-address <host>",
    describe:
      "address put in Via/Contact when listening on a wildcard (default: the first bound or local address)",
    schema: z.string().trim().min(1),
    default: undefined,
  },
  dataDir: {
    flag: "--data-dir <dir>",
    describe: "directory for the database, TLS keys and state",
    schema: z.string().min(1),
    default: "./data",
  },
  tlsCert: {
    flag: "--tls-cert <file>",
    describe: "TLS certificate (PEM); a self-signed one is generated if unset",
    schema: z.string().min(1),
    default: undefined,
  },
  tlsKey: {
    flag: "--tls-key <file>",
    describe: "TLS private key (PEM)",
    schema: z.string().min(1),
    default: undefined,
  },
  logLevel: {
    flag: "--log-level <level>",
    describe: logLevels.join("|"),
    schema: z.enum(logLevels),
    default: "info",
  },
  logFormat: {
    flag: "--log-format <format>",
    describe: "pretty|json (default: pretty on a terminal, else json)",
    schema: z.enum(["pretty", "json"]),
    default: undefined,
  },
  sipTrace: {
    flag: "--sip-trace [on]",
    describe: "log every SIP message in and out",
    schema: boolish,
    default: false,
  },
  timerT1: {
    flag: "--timer-t1 <ms>",
    describe: "RFC 3261 T1 (RTT estimate)",
    schema: millis(1, 60_000),
    default: 500,
  },
  timerT2: {
    flag: "--timer-t2 <ms>",
    describe: "RFC 3261 T2 (max retransmit interval)",
    schema: millis(1, 600_000),
    default: 4000,
  },
  timerT4: {
    flag: "--timer-t4 <ms>",
    describe: "RFC 3261 T4 (max network lifetime)",
    schema: millis(0, 600_000),
    default: 5000,
  },
  maxMessageSize: {
    flag: "--max-message-size <bytes>",
    describe: "largest SIP message accepted on a stream",
    schema: z.coerce.number().int().min(1024).max(1_048_576),
    default: 65535,
  },
  httpPort: {
    flag: "--http-port <port>",
    describe: "admin web UI and REST API port (0 = off)",
    schema: portOrOff,
    default: 8080,
  },
  httpBind: {
    flag: "--http-bind <address>",
    describe: "address the admin web UI and REST API listen on",
    schema: z
      .string()
      .trim()
      .min(1)
      .refine((a) => /^[0-9a-fA-F:.]+$/.test(a), "must be an IP address"),
    default: "0.0.0.0",
  },
  apiToken: {
    flag: "--api-token <token>",
    describe: "bearer token for the REST API (default: generated on first start into the data dir)",
    schema: z.string().min(16, "must be at least 16 characters"),
    default: undefined,
  },
  adminPassword: {
    flag: "--admin-password <password>",
    describe:
      "sets the web UI's administrator password at start, replacing the stored one (how a forgotten one is reset; default: generated on first start and printed once)",
    schema: z.string().min(8, "must be at least 8 characters").max(128, "must be at most 128 characters"),
    default: undefined,
  },
  sessionTtl: {
    flag: "--session-ttl <s>",
    describe: "seconds without activity after which a web UI sign-in expires",
    schema: z.coerce.number().int().min(5).max(604_800),
    default: 1800,
  },
  tenantCdrRetention: {
    flag: "--tenant-cdr-retention <days>",
    describe: "days a deleted tenant's call records are kept before they are purged (issue 21)",
    schema: z.coerce.number().int().min(0).max(3650),
    default: 90,
  },
  databaseUrl: {
    flag: "--database-url <url>",
    describe: "mysql://... or postgres://... (default: embedded SQLite in the data dir)",
    schema: z
      .string()
      .regex(
        /^(mysql|mariadb|postgres|postgresql|sqlite):/,
        "must start with mysql:, mariadb:, postgres:, postgresql: or sqlite:",
      ),
    default: undefined,
  },
  cdrCsvDir: {
    flag: "--cdr-csv-dir <dir>",
    describe: "also append each call record to <dir>/cdr-YYYY-MM-DD.csv (UTC date of the call's end)",
    schema: z.string().trim().min(1),
    default: undefined,
  },
  minExpires: {
    flag: "--min-expires <s>",
    describe: "shortest registration accepted (RFC 3261 423 below it)",
    schema: z.coerce.number().int().min(1).max(86_400),
    default: 60,
  },
  maxExpires: {
    flag: "--max-expires <s>",
    describe: "longest registration granted (longer ones are shortened)",
    schema: z.coerce.number().int().min(1).max(604_800),
    default: 3600,
  },
  defaultExpires: {
    flag: "--default-expires <s>",
    describe: "registration time when a phone asks for none",
    schema: z.coerce.number().int().min(1).max(604_800),
    default: 3600,
  },
  noAnswerTime: {
    flag: "--no-answer-time <s>",
    describe: "seconds a call rings before 480 to the caller, for users without their own no-answer time",
    schema: z.coerce.number().int().min(1).max(3600),
    default: 60,
  },
  outGroupPrefix: {
    flag: "--out-group-prefix <digits>",
    describe:
      'digits a local user dials before an outside number when no dial plan record matches; "none" = no prefix',
    schema: z
      .string()
      .regex(/^([0-9*#]{0,8}|none)$/, 'must be 0-8 of digits, *, # or "none"')
      .transform((v) => (v === "none" ? "" : v)),
    default: "9",
  },
  lineFreshCallId: {
    flag: "--line-fresh-call-id <bool>",
    describe:
      "every external line sends its authenticated REGISTER with a fresh Call-ID (providers that answer 400 Invalid CSeq to CSeq+1)",
    schema: boolish,
    default: false,
  },
  digestAlgorithms: {
    flag: "--digest-algorithms <list>",
    describe:
      "digest challenges offered, most preferred first: MD5, SHA-256 (some phones, e.g. baresip 1.0, fail when also offered SHA-256)",
    schema: z
      .string()
      .transform((s) => s.split(",").map((a) => a.trim().toUpperCase()))
      .refine(
        (l) => l.length > 0 && l.every((a) => a === "MD5" || a === "SHA-256"),
        "must list MD5 and/or SHA-256",
      ),
    default: "MD5",
  },
  authFailThreshold: {
    flag: "--auth-fail-threshold <n>",
    describe: "failed authentications from one address that ban it",
    schema: z.coerce.number().int().min(1).max(100_000),
    default: 10,
  },
  authFailWindow: {
    flag: "--auth-fail-window <s>",
    describe: "window in which failures are counted",
    schema: z.coerce.number().int().min(1).max(86_400),
    default: 60,
  },
  banTime: {
    flag: "--ban-time <s>",
    describe: "how long a banned address is refused",
    schema: z.coerce.number().int().min(1).max(31_536_000),
    default: 600,
  },
  banAllow: {
    flag: "--ban-allow <cidrs>",
    describe: "addresses/CIDRs never banned, comma-separated",
    schema: cidrList,
    default: "",
  },
  tcpIdleTimeout: {
    flag: "--tcp-idle-timeout <ms>",
    describe: "close a TCP/TLS connection idle this long",
    schema: millis(1000, 86_400_000),
    default: 300_000,
  },
  rtpPorts: {
    flag: "--rtp-ports <range>",
    describe: "UDP port range of the media relay (RTP on even ports, RTCP on the next)",
    schema: z
      .string()
      .trim()
      .regex(/^\d{1,5}-\d{1,5}$/, "must be a range like 10000-20000")
      .transform((s) => s.split("-").map(Number) as [number, number])
      .refine(
        ([lo, hi]) => lo >= 1024 && hi <= 65535 && hi - lo >= 3,
        "must lie in 1024-65535 and span at least 4 ports",
      ),
    default: "10000-20000",
  },
  mediaRelay: {
    flag: "--media-relay <mode>",
    describe: "anchor RTP in Parley: auto (users' relay media setting or a phone behind NAT), always, never",
    schema: z.enum(["auto", "always", "never"]),
    default: "auto",
  },
  mediaAddress: {
    flag: "--media-address <ip>",
    describe:
      "address written in Parley's SDP for every phone (default: the one each phone reached Parley on)",
    schema: z
      .string()
      .trim()
      .refine((a) => isIP(a) !== 0, "must be an IP address"),
    default: undefined,
  },
  mediaWorkers: {
    flag: "--media-workers <n>",
    describe: "media relay worker threads",
    schema: z.coerce.number().int().min(1).max(64),
    default: 1,
  },
  mediaTimeout: {
    flag: "--media-timeout <s>",
    describe: "end a relayed call with no RTP either way for this long (0 = never)",
    schema: z.coerce.number().int().min(0).max(86_400),
    default: 60,
  },
  stunPort: {
    flag: "--stun-port <port>",
    describe: "UDP port of the STUN server (RFC 5389 Binding; 0 = off)",
    schema: portOrOff,
    default: 3478,
  },
  ...serviceSettingsTable,
  ...opsSettingsTable,
  natKeepalive: {
    flag: "--nat-keepalive <s>",
    describe: "seconds between OPTIONS keep-alives to phones registered from behind NAT (0 = off)",
    schema: z.coerce.number().int().min(0).max(3600),
    default: 30,
  },
  staticContactInterval: {
    flag: "--static-contact-interval <s>",
    describe:
      "seconds between OPTIONS probes of users' static contacts (devices that never REGISTER; 0 = off): online while they answer",
    schema: z.coerce.number().int().min(0).max(3600),
    default: 30,
  },
  maxSubscriptions: {
    flag: "--max-subscriptions <n>",
    describe: "SUBSCRIBE dialogs (presence, busy lamps, message waiting) at once; more get 503",
    schema: z.coerce.number().int().min(1).max(1_000_000),
    default: 10_000,
  },
  maxSubscriptionsPerUser: {
    flag: "--max-subscriptions-per-user <n>",
    describe: "SUBSCRIBE dialogs one user may hold at once; more get 403",
    schema: z.coerce.number().int().min(1).max(100_000),
    default: 100,
  },
} as const;

export type SettingKey = keyof typeof settingsTable;
type Output<K extends SettingKey> = z.output<(typeof settingsTable)[K]["schema"]>;

export interface Settings extends OpsSettings {
  bind: string[];
  sipPort: number;
  sipTcpPort: number;
  sipTlsPort: number;
  advertisedAddress: string | undefined;
  dataDir: string;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  logLevel: Output<"logLevel">;
  logFormat: "pretty" | "json" | undefined;
  sipTrace: boolean;
  timerT1: number;
  timerT2: number;
  timerT4: number;
  maxMessageSize: number;
  tcpIdleTimeout: number;
  rtpPorts: [number, number];
  mediaRelay: "auto" | "always" | "never";
  mediaAddress: string | undefined;
  mediaWorkers: number;
  mediaTimeout: number;
  stunPort: number;
  language: "en" | "zh";
  tonePlan: "us" | "eu" | "cn";
  echoTestCode: string;
  promptTestCode: string;
  recordTestCode: string;
  voicemailCode: string;
  voicemailAnyCode: string;
  voicemailMaxSeconds: number;
  voicemailMinMs: number;
  voicemailSilenceSeconds: number;
  parkTimeout: number;
  recordingRetentionDays: number;
  recordingChannels: "mono" | "stereo";
  smtpHost: string | undefined;
  smtpPort: number;
  smtpSecurity: "none" | "starttls" | "tls";
  smtpUser: string | undefined;
  smtpPassword: string | undefined;
  smtpFrom: string;
  natKeepalive: number;
  staticContactInterval: number;
  maxSubscriptions: number;
  maxSubscriptionsPerUser: number;
  httpPort: number;
  httpBind: string;
  apiToken: string | undefined;
  adminPassword: string | undefined;
  sessionTtl: number;
  tenantCdrRetention: number;
  databaseUrl: string | undefined;
  cdrCsvDir: string | undefined;
  minExpires: number;
  maxExpires: number;
  defaultExpires: number;
  noAnswerTime: number;
  outGroupPrefix: string;
  lineFreshCallId: boolean;
  digestAlgorithms: Array<"MD5" | "SHA-256">;
  authFailThreshold: number;
  authFailWindow: number;
  banTime: number;
  banAllow: string[];
}

/** Raised for any bad setting; the message names the setting and its source. */
export class SettingsError extends Error {
  override readonly name = "SettingsError";
}

export function envName(key: string): string {
  return "PARLEY_" + key.replace(/[A-Z]/g, (c) => "_" + c).toUpperCase();
}

export function flagName(key: SettingKey): string {
  return settingsTable[key].flag.split(" ")[0]!;
}

export interface SettingsSources {
  /** Parsed config file (object), if any. */
  file?: Record<string, unknown>;
  fileName?: string;
  env?: NodeJS.ProcessEnv;
  /** Values from command-line flags, keyed by setting key. */
  flags?: Partial<Record<SettingKey, unknown>>;
}

/** Merge the sources and validate every value. Throws SettingsError naming the first bad ones. */
export function resolveSettings(sources: SettingsSources): Settings {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  const file = sources.file ?? {};
  for (const key of Object.keys(file)) {
    if (!(key in settingsTable)) {
      problems.push(`unknown setting "${key}" in ${sources.fileName ?? "config file"}`);
    }
  }
  for (const key of Object.keys(settingsTable) as SettingKey[]) {
    const spec = settingsTable[key];
    const env = sources.env?.[envName(key)];
    let raw: unknown = spec.default;
    let from = "default";
    if (file[key] !== undefined) {
      raw = file[key];
      from = `${sources.fileName ?? "config file"} key "${key}"`;
    }
    if (env !== undefined && env !== "") {
      raw = env;
      from = `environment ${envName(key)}`;
    }
    const flag = sources.flags?.[key];
    if (flag !== undefined) {
      raw = flag === true && key === "sipTrace" ? true : flag;
      from = `flag ${flagName(key)}`;
    }
    if (raw === undefined) {
      out[key] = undefined;
      continue;
    }
    const parsed = spec.schema.safeParse(raw);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => i.message).join("; ");
      problems.push(`${key} (${from}): ${JSON.stringify(raw)} is not valid: ${why}`);
      continue;
    }
    out[key] = parsed.data;
  }
  if (problems.length) throw new SettingsError(`invalid settings:\n  - ${problems.join("\n  - ")}`);
  const s = out as unknown as Settings;
  if (s.sipTcpPort === undefined) s.sipTcpPort = s.sipPort;
  if (s.timerT2 < s.timerT1)
    throw new SettingsError(`timerT2 (${s.timerT2}) must not be less than timerT1 (${s.timerT1})`);
  if (s.minExpires > s.maxExpires)
    throw new SettingsError(`minExpires (${s.minExpires}) must not exceed maxExpires (${s.maxExpires})`);
  if ((s.tlsCert === undefined) !== (s.tlsKey === undefined)) {
    throw new SettingsError("tlsCert and tlsKey must be given together");
  }
  return s;
}
