/** `parley start`: run the server in the foreground until SIGINT or SIGTERM. */
import type { SettingSourceMap } from "../config/setting-sources.js";
import type { Settings } from "../config/settings.js";
import { createServer, type ParleyServer } from "../server.js";
import { createLogger } from "../util/logger.js";
import { version } from "../version.js";

export async function runServer(settings: Settings, sources?: SettingSourceMap): Promise<void> {
  const logger = createLogger({
    level: settings.logLevel,
    format: settings.logFormat ?? (process.stdout.isTTY ? "pretty" : "json"),
  });

  // The signal handlers come first (issue 22): a SIGTERM in the first moments, while the server
  // is still being built or started, stops it cleanly once it can, instead of killing it with 143.
  let server: ParleyServer | undefined;
  let started = false;
  let stopRequested: string | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    stopRequested ??= signal;
    if (stopping) {
      // A second signal while stopping: the operator insists.
      process.exit(1);
    }
    if (!started) return; // the start finishes first, then stops (below)
    stopping = true;
    logger.info({ signal }, "parley stopping");
    try {
      await server?.stop();
      logger.info("parley stopped");
    } catch (err) {
      logger.error({ err }, "error while stopping");
      process.exitCode = 1;
    }
    logger.flush();
    // Let a pretty-printing transport drain before the process ends.
    setTimeout(() => process.exit(process.exitCode ?? 0), 50).unref();
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));

  server = await createServer(settings, { logger, sources });
  await server.start();
  started = true;
  logger.info(
    { version, listening: server.listening, dataDir: settings.dataDir, sipTrace: settings.sipTrace },
    "parley started",
  );
  if (stopRequested !== undefined) await stop(stopRequested);
}
