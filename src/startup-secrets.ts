/**
 * The secrets a first start makes (composition root): the REST API token (kept in
 * `<data-dir>/api-token`) and the web UI administrator password (its hash in
 * `<data-dir>/admin-password`), each generated when none is configured or stored, and shown once
 * in the log when it is.
 */
import { AdminPassword } from "./api/admin/admin-password.js";
import { type ApiToken, resolveApiToken } from "./api/token.js";
import type { Settings } from "./config/settings.js";
import type { Logger } from "./util/logger.js";

export async function startupSecrets(
  settings: Pick<Settings, "apiToken" | "adminPassword" | "dataDir">,
  logger: Logger,
): Promise<{ token: ApiToken; admin: Awaited<ReturnType<typeof AdminPassword.open>> }> {
  const token = resolveApiToken({ configured: settings.apiToken, dataDir: settings.dataDir });
  if (token.generated) {
    logger.warn(
      { file: token.file },
      `REST API token generated (shown once, kept in ${token.file}): ${token.token}`,
    );
  }
  const admin = await AdminPassword.open({ dataDir: settings.dataDir, configured: settings.adminPassword });
  if (admin.generated !== undefined) {
    logger.warn(
      `web UI administrator password generated (shown once; change it under System settings, or reset it with --admin-password): ${admin.generated}`,
    );
  } else if (settings.adminPassword !== undefined) {
    logger.info("web UI administrator password set from the adminPassword setting");
  }
  return { token, admin };
}
