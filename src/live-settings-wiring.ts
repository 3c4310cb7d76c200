/**
 * The composition root's part of the run-time settings (config/live-settings.ts): loads the stored
 * values before anything reads the settings, and applies a change where a value was handed over
 * at start (the media server's prompt language, the CDR recorder's CSV folder). The engine's other
 * readers (out-group prefix, no-answer time, media relay mode) read the live view at each call.
 */
import { LiveSettings, type SmtpBackend } from "./config/live-settings.js";
import { type SettingSourceMap, sourcesByDefault } from "./config/setting-sources.js";
import type { Settings } from "./config/settings.js";
import { EmergencyNumberRepository } from "./store/emergency-repository.js";
import { CdrCsvWriter, type CdrRecorder, type Store, type SystemSettingsRepository } from "./store/index.js";
import type { Logger } from "./util/logger.js";

export type { SettingSourceMap };

/** The settings with the stored run-time values over the start-up ones. */
export async function loadLiveSettings(
  startup: Settings,
  repository: SystemSettingsRepository,
  domainId: number,
  sources: SettingSourceMap | undefined,
  providerOnly?: ReadonlySet<string>,
): Promise<LiveSettings> {
  const live = new LiveSettings({
    startup,
    sources: sources ?? sourcesByDefault(startup as unknown as Record<string, unknown>),
    repository,
    domainId,
    ...(providerOnly === undefined ? {} : { providerOnly }),
  });
  await live.load();
  return live;
}

export interface LiveSettingsTargets {
  readonly live: LiveSettings;
  /** The media plane: its media server speaks the prompt language. */
  readonly media: { readonly server: { setLanguage(language: Settings["language"]): void } };
  readonly cdrs: CdrRecorder;
  /** The call services: the voicemail service's SMTP settings (also /api/v1/smtp). */
  readonly services: { readonly voicemail: { readonly smtp: SmtpBackend } };
  /** The store and the routing (its tables hold the emergency numbers of the prompt language). */
  readonly store: Pick<Store, "db">;
  readonly domainId: number;
  readonly trunks: { readonly live: { changed(): void } };
  readonly logger: Logger;
  /** A tenant's settings (issue 21): the process-wide ones are not applied from them. */
  readonly isTenant?: boolean;
}

/** Applies each run-time change to the objects that were handed the start-up value. */
export function wireLiveSettings(t: LiveSettingsTargets): void {
  t.live.attachSmtp(t.services.voicemail.smtp);
  const emergency = new EmergencyNumberRepository(t.store.db);
  t.live.onChange((key) => {
    const settings = t.live.view;
    if (key === "language") {
      t.media.server.setLanguage(settings.language);
      // Chinese adds its emergency numbers (110, 119, 120) once, as at a start in Chinese.
      emergency.seedLanguageDefaults(t.domainId, settings.language).then(
        (added) => {
          if (added.length === 0) return;
          t.trunks.live.changed();
          t.logger.info({ numbers: added }, "emergency numbers of the prompt language added");
        },
        (err: unknown) => t.logger.error({ err }, "emergency numbers of the prompt language not added"),
      );
    }
    if (key === "cdrCsvDir" && t.isTenant !== true) {
      const dir = settings.cdrCsvDir;
      void t.cdrs.setCsv(dir === undefined ? undefined : new CdrCsvWriter(dir, t.logger));
    }
    t.logger.info({ setting: key }, "setting changed at run time");
  });
}
