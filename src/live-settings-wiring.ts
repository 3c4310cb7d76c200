/**
 * The composition root's part of the run-time settings (config/live-settings.ts): loads the stored
 * values before anything reads the settings, and applies a change where a value was handed over
 * at start (the media server's prompt language, the CDR recorder's CSV folder). The engine's other
 * readers (out-group prefix, no-answer time, media relay mode) read the live view at each call.
 */
import { LiveSettings, type SmtpBackend } from "./config/live-settings.js";
import { type SettingSourceMap, sourcesByDefault } from "./config/setting-sources.js";
import type { Settings } from "./config/settings.js";
import { CdrCsvWriter, type CdrRecorder, type SystemSettingsRepository } from "./store/index.js";
import type { Logger } from "./util/logger.js";

/** The settings with the stored run-time values over the start-up ones. */
export async function loadLiveSettings(
  startup: Settings,
  repository: SystemSettingsRepository,
  domainId: number,
  sources: SettingSourceMap | undefined,
): Promise<LiveSettings> {
  const live = new LiveSettings({
    startup,
    sources: sources ?? sourcesByDefault(startup as unknown as Record<string, unknown>),
    repository,
    domainId,
  });
  await live.load();
  return live;
}

export interface LiveSettingsTargets {
  readonly live: LiveSettings;
  readonly media: { setLanguage(language: Settings["language"]): void };
  readonly cdrs: CdrRecorder;
  /** The voicemail service's SMTP settings (also /api/v1/smtp). */
  readonly smtp: SmtpBackend;
  readonly logger: Logger;
}

/** Applies each run-time change to the objects that were handed the start-up value. */
export function wireLiveSettings(t: LiveSettingsTargets): void {
  t.live.attachSmtp(t.smtp);
  t.live.onChange((key) => {
    const settings = t.live.view;
    if (key === "language") t.media.setLanguage(settings.language);
    if (key === "cdrCsvDir") {
      const dir = settings.cdrCsvDir;
      void t.cdrs.setCsv(dir === undefined ? undefined : new CdrCsvWriter(dir, t.logger));
    }
    t.logger.info({ setting: key }, "setting changed at run time");
  });
}
