/**
 * The secrets a first start makes (composition root): the REST API token (kept in
 * `<data-dir>/api-token`) and the web UI administrator password (its hash in
 * `<data-dir>/admin-password`), each generated when none is configured or stored. A generated
 * secret is shown once, as a banner on stderr whatever the log format (issue 23: inside a JSON log
 * line it is easy to miss, and it does not belong in log files); the log says where it is kept.
 */
import { join } from "node:path";
import { ADMIN_PASSWORD_FILE, AdminPassword } from "./api/admin/admin-password.js";
import { type ApiToken, resolveApiToken } from "./api/token.js";
import type { Settings } from "./config/settings.js";
import type { Logger } from "./util/logger.js";

export async function startupSecrets(
  settings: Pick<Settings, "apiToken" | "adminPassword" | "dataDir">,
  logger: Logger,
  stderr: { write(text: string): unknown } = process.stderr,
): Promise<{ token: ApiToken; admin: Awaited<ReturnType<typeof AdminPassword.open>> }> {
  const token = resolveApiToken({ configured: settings.apiToken, dataDir: settings.dataDir });
  const admin = await AdminPassword.open({ dataDir: settings.dataDir, configured: settings.adminPassword });
  const lines: string[] = [];
  if (admin.generated !== undefined) {
    lines.push(
      `Web UI administrator password: ${admin.generated}`,
      `  (only its hash is kept, in ${join(settings.dataDir, ADMIN_PASSWORD_FILE)}; change it under System settings,`,
      "   or set a new one by starting once with --admin-password)",
    );
    logger.warn("web UI administrator password generated: shown once, on stderr");
  } else if (settings.adminPassword !== undefined) {
    logger.info("web UI administrator password set from the adminPassword setting");
  }
  if (token.generated) {
    lines.push(
      `REST API token: ${token.token}`,
      `  (kept in ${token.file}; replace it with --api-token, or delete the file for a new one)`,
    );
    logger.warn({ file: token.file }, "REST API token generated: shown once, on stderr");
  }
  if (lines.length > 0) stderr.write(banner(lines));
  return { token, admin };
}

/** The secrets framed so that they stand out from the log around them. */
function banner(lines: readonly string[]): string {
  const rule = "=".repeat(78);
  return [
    "",
    rule,
    "  Parley's first start: keep these now, they are not shown again.",
    "",
    ...lines.map((l) => `  ${l}`),
    rule,
    "",
    "",
  ].join("\n");
}
