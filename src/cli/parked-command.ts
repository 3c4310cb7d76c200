/**
 * `parley parked`: the calls waiting in the parking lot (issue 16, call park). Parked calls live in
 * the running server's memory, not in the store, so unlike the store commands this one asks the
 * server: GET /api/v1/parked on its REST API, found as api-client.ts says (the settings of `start`,
 * or --url and --token). Exit codes: 0 listed, 1 no server or refused, 2 bad settings or flags.
 */
import type { Command } from "commander";
import type { ParkedCallItemType } from "../api/routes/parked.js";
import { type ApiOptions, apiCommand, apiRequest, apiTarget, clockDuration, runApi } from "./api-client.js";
import { table } from "./user-commands.js";

const party = (p: ParkedCallItemType["parked"]) =>
  p.displayName === "" ? p.user : `${p.user} (${p.displayName})`;

function state(call: ParkedCallItemType): string {
  const status = call.ringingBack ? "ringing back" : "on hold";
  return call.ringBacks > 0 ? `${status}, ring-backs: ${call.ringBacks}` : status;
}

export function parkedTable(items: readonly ParkedCallItemType[]): string {
  if (items.length === 0) return "no parked calls";
  return table(
    ["SLOT", "PARKED", "PARKED BY", "TIME", "STATE"],
    items.map((c) => [
      String(c.slot),
      party(c.parked),
      party(c.parker),
      clockDuration(c.parkedSeconds),
      state(c),
    ]),
  );
}

export function registerParkedCommand(program: Command): void {
  apiCommand(program, "parked")
    .description("the parked calls of a running server (through its REST API), by slot")
    .action((opts: ApiOptions) =>
      runApi(async () => {
        const body = (await apiRequest(apiTarget(opts), "GET", "/parked")) as { items: ParkedCallItemType[] };
        const items = body.items;
        process.stdout.write(opts.json ? `${JSON.stringify(items, null, 2)}\n` : `${parkedTable(items)}\n`);
      }),
    );
}
