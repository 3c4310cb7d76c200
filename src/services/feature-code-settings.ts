/**
 * The administrator's changes to the feature code table (a code moved, a feature turned off),
 * kept in the store's per-domain system settings so they survive restarts, and applied over the
 * defaults the services register. The API and the web UI change codes through this; the change
 * applies to the next call at once.
 */
import { NotFoundError, type SystemSettingsRepository, ValidationError } from "../store/index.js";
import type { FeatureCode, FeatureCodeSetting, FeatureCodeTable } from "./feature-codes.js";

export const FEATURE_CODES_SETTING = "featureCodes";

export class FeatureCodeSettings {
  constructor(
    private readonly o: {
      readonly table: FeatureCodeTable;
      readonly repository: SystemSettingsRepository;
      readonly domainId: number;
      /** A stored change that no longer applies (a feature gone, a clash): skipped, reported. */
      readonly onSkipped?: (service: string, reason: string) => void;
    },
  ) {}

  /** Applies the stored changes over the registered defaults (call once every service is in). */
  async load(): Promise<void> {
    const stored = await this.o.repository.get(this.o.domainId, FEATURE_CODES_SETTING);
    if (typeof stored !== "object" || stored === null) return;
    for (const [service, setting] of Object.entries(stored as Record<string, unknown>)) {
      if (this.o.table.get(service) === undefined) {
        this.o.onSkipped?.(service, "no such feature");
        continue;
      }
      try {
        this.o.table.configure(service, setting as Partial<FeatureCodeSetting>);
      } catch (error) {
        this.o.onSkipped?.(service, error instanceof Error ? error.message : String(error));
      }
    }
  }

  list(): FeatureCode[] {
    return this.o.table.list();
  }

  /** Changes one feature (`{code?, enabled?}`); errors name the field; saved before it resolves. */
  async configure(service: string, body: unknown): Promise<FeatureCode> {
    if (this.o.table.get(service) === undefined) throw new NotFoundError("feature code", service);
    if (typeof body !== "object" || body === null || Array.isArray(body))
      throw new ValidationError([{ field: "(body)", message: "must be an object" }]);
    const unknown = Object.keys(body).filter((k) => k !== "code" && k !== "enabled");
    if (unknown.length > 0)
      throw new ValidationError(unknown.map((field) => ({ field, message: "is not a feature code field" })));
    const before = this.o.table.get(service)!;
    const changed = this.o.table.configure(service, body as Partial<FeatureCodeSetting>);
    try {
      await this.save();
    } catch (error) {
      this.o.table.configure(service, { code: before.code, enabled: before.enabled });
      throw error;
    }
    return changed;
  }

  /** Back to the service's default code. */
  async reset(service: string): Promise<FeatureCode> {
    const reset = this.o.table.reset(service);
    if (reset === undefined) throw new NotFoundError("feature code", service);
    await this.save();
    return reset;
  }

  private save(): Promise<void> {
    return this.o.repository.put(this.o.domainId, FEATURE_CODES_SETTING, this.o.table.changes());
  }
}
