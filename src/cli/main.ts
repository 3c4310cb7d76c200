/**
 * The `parley` command. `parley start` runs the server in the foreground; every setting is a flag,
 * a PARLEY_* environment variable and a config-file key (see config/settings.ts).
 */
import { Command, Option } from "commander";
import { readConfigFile } from "../config/load.js";
import { settingSources } from "../config/setting-sources.js";
import {
  envName,
  flagName,
  resolveSettings,
  type SettingKey,
  SettingsError,
  settingsTable,
} from "../config/settings.js";
import { PortUnavailableError } from "../transport/port-probe.js";
import { version } from "../version.js";
import { registerTenantOption } from "./api-client.js";
import { registerAutoAttendantCommands } from "./auto-attendant-commands.js";
import { registerCallCommand } from "./call-command.js";
import { registerCallingCardCommands } from "./calling-card-commands.js";
import { registerCdrCommands } from "./cdr-commands.js";
import { registerConferenceCommands } from "./conference-commands.js";
import { registerEmergencyCommands } from "./emergency-commands.js";
import { registerFeatureCodeCommands } from "./feature-code-commands.js";
import { registerGroupCommands } from "./group-commands.js";
import { registerListCommands } from "./list-commands.js";
import { registerOpsCommands } from "./ops-commands.js";
import { registerParkedCommand } from "./parked-command.js";
import { registerRecordingCommands } from "./recording-commands.js";
import { registerRoutingCommands } from "./routing-commands.js";
import { registerScriptCommands } from "./script-commands.js";
import { registerTenantCommands } from "./tenant-commands.js";
import { registerUserCommands } from "./user-commands.js";
import { registerVoicemailCommands } from "./voicemail-commands.js";

function camel(flag: string): string {
  return flag.replace(/^--/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

const program = new Command();
program.name("parley").description("Parley: a SIP server and IP-PBX").version(version);

const start = program
  .command("start")
  .description("run the server in the foreground (Ctrl-C or SIGTERM stops it)")
  .option("--config <file>", "JSON config file of settings [env PARLEY_CONFIG]");
for (const key of Object.keys(settingsTable) as SettingKey[]) {
  const spec = settingsTable[key];
  const shown = Array.isArray(spec.default) ? spec.default.join(",") : spec.default;
  const def = shown === undefined || shown === "" ? "" : ` (default ${String(shown)})`;
  const option = new Option(spec.flag, `${spec.describe}${def} [env ${envName(key)}]`);
  // A setting's flag is never a commander negation, even when it reads "--no-..." (--no-answer-time).
  option.negate = false;
  start.addOption(option);
}
start.action(async (opts: Record<string, unknown>) => {
  try {
    const flags: Partial<Record<SettingKey, unknown>> = {};
    for (const key of Object.keys(settingsTable) as SettingKey[]) {
      const v = opts[camel(flagName(key))];
      if (v !== undefined) flags[key] = v;
    }
    const configPath = (opts.config as string | undefined) ?? process.env.PARLEY_CONFIG;
    const file = configPath ? readConfigFile(configPath) : undefined;
    const input = { file, fileName: configPath, env: process.env, flags };
    const settings = resolveSettings(input);
    // Loaded only to run the server: the other commands start in a fraction of the time without
    // the server's whole module graph (HTTP, SQL drivers, the Lua VM, the media workers' code).
    const { runServer } = await import("./run-server.js");
    await runServer(settings, settingSources(input));
  } catch (err) {
    if (err instanceof SettingsError) {
      process.stderr.write(`parley: ${err.message}\n`);
      process.exit(2);
    }
    if (err instanceof PortUnavailableError) {
      process.stderr.write(`parley: failed to start: ${err.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`parley: failed to start: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  }
});

registerUserCommands(program);
registerRoutingCommands(program);
registerEmergencyCommands(program);
registerVoicemailCommands(program);
registerFeatureCodeCommands(program);
registerListCommands(program);
registerGroupCommands(program);
registerAutoAttendantCommands(program);
registerConferenceCommands(program);
registerCallingCardCommands(program);
registerParkedCommand(program);
registerRecordingCommands(program);
registerCdrCommands(program);
registerOpsCommands(program);
registerCallCommand(program);
registerScriptCommands(program);
registerTenantCommands(program);
registerTenantOption(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`parley: ${(err as Error).message}\n`);
  process.exit(1);
});
