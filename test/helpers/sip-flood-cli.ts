/**
 * Runs the SIP flooder (sip-flood.ts) in a process of its own, so its sending and counting do
 * not share an event loop with the test or bench that watches Parley, and prints one JSON
 * report (FloodReport) on stdout.
 *
 *   node --import tsx test/helpers/sip-flood-cli.ts --port 5060 --kind INVITE --rate 10000 \
 *     --duration-ms 30000 --sources 127.0.0.2,127.0.0.3 --sockets-per-source 4 [--host 127.0.0.1]
 *     [--user 100] [--from-user 101] [--domain 127.0.0.1] [--grace-ms 3000] [--tick-ms 5]
 *
 * `--sources` also takes a range of the last IPv4 octet: `127.0.0.2-9`.
 */
import { parseArgs } from "node:util";
import { type FloodKind, flood } from "./sip-flood.js";

/** `a.b.c.x-y` -> a.b.c.x .. a.b.c.y; anything else as it is. */
export function expandSources(list: string): string[] {
  return list
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .flatMap((s) => {
      const m = /^(\d+\.\d+\.\d+\.)(\d+)-(\d+)$/.exec(s);
      if (!m) return [s];
      const out: string[] = [];
      for (let i = Number(m[2]); i <= Number(m[3]); i++) out.push(`${m[1]}${i}`);
      return out;
    });
}

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string" },
    kind: { type: "string", default: "INVITE" },
    rate: { type: "string", default: "1000" },
    "duration-ms": { type: "string", default: "10000" },
    sources: { type: "string", default: "127.0.0.1" },
    "sockets-per-source": { type: "string", default: "1" },
    user: { type: "string" },
    "from-user": { type: "string" },
    domain: { type: "string" },
    "grace-ms": { type: "string", default: "3000" },
    "tick-ms": { type: "string", default: "5" },
  },
});

const kind = values.kind?.toUpperCase();
if (values.port === undefined || (kind !== "INVITE" && kind !== "REGISTER")) {
  process.stderr.write("usage: sip-flood-cli.ts --port <n> [--kind INVITE|REGISTER] [--rate n] ...\n");
  process.exit(2);
}
const report = await flood({
  host: values.host!,
  port: Number(values.port),
  kind: kind as FloodKind,
  rate: Number(values.rate),
  durationMs: Number(values["duration-ms"]),
  sources: expandSources(values.sources!),
  socketsPerSource: Number(values["sockets-per-source"]),
  user: values.user,
  fromUser: values["from-user"],
  domain: values.domain,
  graceMs: Number(values["grace-ms"]),
  tickMs: Number(values["tick-ms"]),
});
process.stdout.write(`${JSON.stringify(report)}\n`);
