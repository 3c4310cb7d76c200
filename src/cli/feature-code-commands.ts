/**
 * `parley feature-codes list|set|reset`: the feature code table (issue 15: "a table (code pattern,
 * service, enabled) ... API, CLI and web UI"), straight in the store like the user commands, with
 * the same settings (--data-dir, --database-url, --config, PARLEY_*). The table is built as the
 * server builds it: every service's default codes from the catalogue (the code settings such as
 * --echo-test-code included), then the administrator's stored changes over them; a change goes
 * through FeatureCodeSettings, so a bad code or a clash is refused with the field named, as in the
 * API, and it is stored where the server reads it.
 *
 * NOTE: another process's memory is not reached from here. A running server applies a change made
 * here at its next start, and until then a change made in its web UI or API (which apply at once)
 * stores the server's own table and so replaces it.
 */
import type { Command } from "commander";
import { registerFeatureCodes } from "../services/feature-code-catalogue.js";
import { FeatureCodeSettings } from "../services/feature-code-settings.js";
import { type FeatureCode, FeatureCodeTable } from "../services/feature-codes.js";
import { storeFromUrl } from "../store/index.js";
import { run, type StoreOptions, storeCommand, storeSettings, table, UsageError } from "./user-commands.js";

const NEXT_START =
  "parley: saved; a running server applies it at its next start (the web UI and the API apply changes at once)\n";

/** Opens the store and the feature code table as `parley start` builds it. */
async function withFeatureCodes<T>(
  opts: StoreOptions,
  act: (codes: FeatureCodeSettings) => Promise<T>,
): Promise<T> {
  const settings = storeSettings(opts);
  const store = await storeFromUrl(settings.databaseUrl, settings.dataDir);
  try {
    await store.migrate();
    const table = new FeatureCodeTable();
    registerFeatureCodes(table, settings);
    const codes = new FeatureCodeSettings({
      table,
      repository: store.systemSettings,
      domainId: (await store.domains.getDefault()).id,
      // The server logs the same at its start and skips the change likewise.
      onSkipped: (service, reason) =>
        process.stderr.write(`parley: stored change of ${service} not applied: ${reason}\n`),
    });
    await codes.load();
    return await act(codes);
  } finally {
    await store.close();
  }
}

function printFeature(feature: FeatureCode, json: boolean | undefined): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(feature, null, 2)}\n`);
    return;
  }
  const rows: Array<[string, string]> = [
    ["service", feature.service],
    ["description", feature.description],
    ["code", feature.code],
    ["default", feature.defaultCode],
    ["enabled", String(feature.enabled)],
    ["dial", feature.dial.join(", ")],
  ];
  process.stdout.write(`${rows.map(([key, value]) => `${key.padEnd(12)}${value}`.trimEnd()).join("\n")}\n`);
}

/** "true" or "false", as --enabled takes it. */
export function parseEnabled(raw: string): boolean {
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw new UsageError(`--enabled must be true or false, not "${raw}"`);
}

export function registerFeatureCodeCommands(program: Command): void {
  const codes = program
    .command("feature-codes")
    .description("the codes phones dial to reach a service (*43 echo test, *93 forwarding, ...)");

  storeCommand(codes, "list")
    .description("every feature: its code, default, on or off, and how it is dialled")
    .action((opts: StoreOptions) =>
      run(async () => {
        const items = await withFeatureCodes(opts, async (c) => c.list());
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ items }, null, 2)}\n`);
          return;
        }
        const rows = items.map((f) => [
          f.service,
          f.code === "" ? "-" : f.code,
          f.defaultCode === "" ? "-" : f.defaultCode,
          f.enabled ? "on" : "off",
          f.dial.join(" "),
          f.description,
        ]);
        process.stdout.write(`${table(["SERVICE", "CODE", "DEFAULT", "ON", "DIAL", "DESCRIPTION"], rows)}\n`);
      }),
    );

  storeCommand(codes, "set")
    .description(
      "move a feature's code, or turn it off or on (applied by a running server at its next start)",
    )
    .argument("<service>", "the feature's service, e.g. echo-test (see feature-codes list)")
    .option("--code <code>", 'the new code: 1-16 of the keys 0-9, * and # ("" = none, with --enabled false)')
    .option("--enabled <true|false>", "turn the feature on or off")
    .action((service: string, opts: StoreOptions & { code?: string; enabled?: string }) =>
      run(async () => {
        if (opts.code === undefined && opts.enabled === undefined)
          throw new UsageError("give --code, --enabled or both");
        const change = {
          ...(opts.code === undefined ? {} : { code: opts.code }),
          ...(opts.enabled === undefined ? {} : { enabled: parseEnabled(opts.enabled) }),
        };
        printFeature(await withFeatureCodes(opts, (c) => c.configure(service, change)), opts.json);
        process.stderr.write(NEXT_START);
      }),
    );

  storeCommand(codes, "reset")
    .description("restore a feature's default code (applied by a running server at its next start)")
    .argument("<service>", "the feature's service, e.g. echo-test (see feature-codes list)")
    .action((service: string, opts: StoreOptions) =>
      run(async () => {
        printFeature(await withFeatureCodes(opts, (c) => c.reset(service)), opts.json);
        process.stderr.write(NEXT_START);
      }),
    );
}
