/**
 * Start-up settings that operators tune (issue 23 on): metrics, access logs, password policy and
 * the like. Part of the one settings table (settings.ts spreads it in), kept apart so settings.ts
 * stays one readable page. Add a key here together with its field in `OpsSettings`.
 */
import { z } from "zod";
import { isOriginEntry } from "../transport/websocket-origin.js";
import { cidrList } from "./cidr-list.js";
import { hostList } from "./host-list.js";

/** --ws-origins: a comma list of `*`, origins (https://host:port) or hosts; "" = none. */
const originList = z
  .string()
  .trim()
  .transform((s) => (s === "" ? [] : s.split(",").map((e) => e.trim().toLowerCase())))
  .refine(
    (list) => list.every(isOriginEntry),
    "must be *, origins (https://host:port) or host names, separated by commas",
  );

export const opsSettingsTable = {
  minPasswordLength: {
    flag: "--min-password-length <n>",
    describe:
      "fewest characters of a new or changed SIP password (a password may never equal its extension number)",
    schema: z.coerce.number().int().min(1).max(64),
    default: 8,
  },
  metricsToken: {
    flag: "--metrics-token <token>",
    describe: "bearer token GET /metrics requires (default: none, the metrics are public like /health)",
    schema: z.string().min(16, "must be at least 16 characters"),
    default: undefined,
  },
  httpAccessLog: {
    flag: "--http-access-log <level>",
    describe:
      "one log line per HTTP request (method, URL, status, duration): info, debug (seen only with --log-level debug) or off",
    schema: z.enum(["info", "debug", "off"]),
    default: "debug",
  },
  relayRelatchSilence: {
    flag: "--relay-relatch-silence <ms>",
    describe:
      "silence from a relayed phone after which its media may come from a new address (a NAT that mapped it anew), once that source sends 4 packets in sequence; 0 = never",
    schema: z.coerce.number().int().min(0).max(60_000),
    default: 2000,
  },
  maxConnections: {
    flag: "--max-connections <n>",
    describe:
      "TCP and TLS connections from phones open at once, in all; more are closed at once (0 = no cap)",
    schema: z.coerce.number().int().min(0).max(1_000_000),
    default: 10_000,
  },
  maxConnectionsPerSource: {
    flag: "--max-connections-per-source <n>",
    describe:
      "TCP and TLS connections open at once from one address; more are closed at once, logged once a minute (0 = no cap)",
    schema: z.coerce.number().int().min(0).max(1_000_000),
    default: 1000,
  },
  httpsPort: {
    flag: "--https-port <port>",
    describe:
      "admin web UI and REST API over HTTPS on this port too, with --tls-cert/--tls-key or the generated certificate (0 = off)",
    schema: z.coerce.number().int().min(0).max(65535),
    default: 0,
  },
  overloadLag: {
    flag: "--overload-lag <ms>",
    describe:
      "mean event-loop delay (ms, over two half-second intervals running, while 100 or more SIP datagrams a second come in) above which Parley is overloaded and answers new requests 503 with Retry-After, keeping calls in progress and registered phones (0 = never)",
    schema: z.coerce.number().int().min(0).max(60_000),
    default: 800,
  },
  overloadBusy: {
    flag: "--overload-busy <percent>",
    describe:
      "event-loop utilisation (percent, over two half-second intervals running) above which Parley is overloaded, like --overload-lag, until it is under half of it: a flood that keeps it busy without delaying it (0 = never)",
    schema: z.coerce.number().int().min(0).max(100),
    default: 97,
  },
  rateLimit: {
    flag: "--rate-limit <n>",
    describe:
      "SIP messages a second from one address (an IPv6 /64), over two seconds; more are dropped unparsed, logged once a minute (pike-style; trunks, the IP white list and --rate-limit-allow are exempt; 0 = no limit)",
    schema: z.coerce.number().int().min(0).max(1_000_000),
    default: 300,
  },
  rateLimitAllow: {
    flag: "--rate-limit-allow <cidrs>",
    describe:
      "addresses/CIDRs --rate-limit never applies to, comma-separated (e.g. a proxy in front of Parley)",
    schema: cidrList,
    default: "127.0.0.0/8,::1",
  },
  maxMessagesPerConnection: {
    flag: "--max-messages-per-connection <n>",
    describe:
      "SIP messages a second on one TCP/TLS/WebSocket connection, over two seconds; more are dropped, logged once a minute (0 = no cap)",
    schema: z.coerce.number().int().min(0).max(1_000_000),
    default: 500,
  },
  sipWsPort: {
    flag: "--sip-ws-port <port>",
    describe:
      "SIP over WebSocket (RFC 7118) port, plain (0 = none; browsers also reach SIP at the web server's /sip path)",
    schema: z.coerce.number().int().min(0).max(65535),
    default: 0,
  },
  sipWssPort: {
    flag: "--sip-wss-port <port>",
    describe:
      "SIP over secure WebSocket port, with the TLS certificate (0 = none; HTTPS pages also reach SIP at the HTTPS port's /sip path)",
    schema: z.coerce.number().int().min(0).max(65535),
    default: 0,
  },
  wsOrigins: {
    flag: "--ws-origins <origins>",
    describe:
      "web pages allowed to open SIP WebSocket connections besides Parley's own host, comma-separated: https://host:port origins, host names, or * for any (clients sending no Origin are always allowed)",
    schema: originList,
    default: "",
  },
  scriptHttpAllow: {
    flag: "--script-http-allow <hosts>",
    describe:
      'hosts service scripts may send HTTP requests to (http.get/http.post), comma-separated host or host:port; a host alone means port 80/443 ("" = none: off)',
    schema: hostList,
    default: "",
  },
} as const;

/** The typed values of `opsSettingsTable`, merged into `Settings`. */
export interface OpsSettings {
  minPasswordLength: number;
  metricsToken: string | undefined;
  httpAccessLog: "info" | "debug" | "off";
  relayRelatchSilence: number;
  maxConnections: number;
  maxConnectionsPerSource: number;
  httpsPort: number;
  overloadLag: number;
  overloadBusy: number;
  rateLimit: number;
  rateLimitAllow: string[];
  maxMessagesPerConnection: number;
  sipWsPort: number;
  sipWssPort: number;
  /** Parsed --ws-origins entries (empty: same host and Origin-less clients only). */
  wsOrigins: string[];
  /** Comma list of host[:port] (config/host-list.ts); read at each request, "" = off. */
  scriptHttpAllow: string;
}
