/**
 * Puts a service script and its trigger record in a data dir before Parley starts (issue 18's
 * script cost bench, bench/script-route.sh; bench/calls.sh runs it as PARLEY_PREPARE). The
 * script file is written to `<dataDir>/scripts/` and the trigger straight into the store, so the
 * bench needs neither the API nor a running server. Usage:
 *   node --import tsx bench/script-setup.ts <setup> <data-dir>
 * Setups:
 *   route   a trigger at "attempted" on 1999 runs `call.route("1999")`: the bench's calls to the
 *           sipp UAS (user 1999) go through a trivial Lua route script, the route they would take anyway
 *   proceed the same trigger runs `call.proceed()` (the call goes on as dialled)
 *   hold    a trigger at "attempted" on 7000 runs `call.answer(); call.wait(...)`: each call to
 *           7000 is answered by Parley and held inside a live VM (memory per live VM)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { storeFromUrl } from "../src/store/index.js";

const SETUPS: Record<string, { prefix: string; source: string }> = {
  route: { prefix: "1999", source: 'call.route("1999")\n' },
  proceed: { prefix: "1999", source: "call.proceed()\n" },
  hold: { prefix: "7000", source: "if call.answer() then call.wait(600) end\n" },
};

const [name, dataDir] = process.argv.slice(2);
const setup = name === undefined ? undefined : SETUPS[name];
if (setup === undefined || dataDir === undefined) {
  process.stderr.write(`usage: script-setup.ts <${Object.keys(SETUPS).join("|")}> <data-dir>\n`);
  process.exit(2);
}
mkdirSync(join(dataDir, "scripts"), { recursive: true });
writeFileSync(join(dataDir, "scripts", `bench-${name}.lua`), setup.source);
const store = await storeFromUrl(undefined, dataDir);
await store.migrate();
const domain = await store.domains.getDefault();
await store.scriptTriggers.create(domain.id, {
  point: "attempted",
  prefix: setup.prefix,
  script: `bench-${name}`,
  order: 10,
  enabled: true,
});
await store.close();
process.stdout.write(`script bench-${name} triggered on ${setup.prefix}\n`);
