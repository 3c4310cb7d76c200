/** `parley start`: run the server in the foreground until SIGINT or SIGTERM. */
import type { SettingSourceMap } from "../config/setting-sources.js";
import type { Settings } from "../config/settings.js";
import { createServer } from "../server.js";
import { createLogger } from "../util/logger.js";
import { version } from "../version.js";

export async function runServer(settings: Settings, sources?: SettingSourceMap): Promise<void> {
  const logger = createLogger({
    level: settings.logLevel,
    format: settings.logFormat ?? (process.stdout.isTTY ? "pretty" : "json"),
  });
  const server = await createServer(settings, { logger, sources });
  await server.start();
  logger.info(
    { version, listening: server.listening, dataDir: settings.dataDir, sipTrace: settings.sipTrace },
    "parley started",
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "parley stopping");
    try {
      await server.stop();
      logger.info("parley stopped");
    } catch (err) {
      logger.error({ err }, "error while stopping");
      process.exitCode = 1;
    }
    logger.flush();
    // Let a pretty-printing transport drain before the process ends.
    setTimeout(() => process.exit(process.exitCode ?? 0), 50).unref();
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}
