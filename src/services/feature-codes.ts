/**
 * The feature code table: the codes a phone dials to reach a service (`*43` the echo test,
 * `*93*101#` forwarding to 101), analysed before the dial plan (ARCHITECTURE.md, route stage).
 * Each service registers its code with a default; the administrator may change the code or turn
 * it off (API, web UI, CLI; feature-code-settings.ts keeps the changes). A service may answer to
 * several forms of its code: the whole code (`*93`) and the code followed by a separator and an
 * argument (`*93*` + `101` + `#`). The longest matching form wins, so `*4` and `*43` may coexist.
 *
 * The final `#` comes three ways (issue 15): escaped as `%23` in the Request-URI (RFC 3261 25.1:
 * `#` is not allowed unescaped in a SIP URI's user part, so most phones escape it), raw (some do
 * not), or not at all (the phone ends the number by its own timer or sends `#` later as a digit).
 * So the number is unescaped first (RFC 3261 19.1.4), and one final `#` is optional after a
 * whole code too (`*78`, `*78#`, `*78%23` are the same code).
 */
import type { FeatureCodeMatch, FeatureCodes } from "../call/stages/route.js";
import { unescapeUri } from "../sip/index.js";
import { type FieldError, ValidationError } from "../store/index.js";

/** One form of a service's code: the code, then `suffix` and an argument when `argument`. */
interface Form {
  readonly service: string;
  readonly suffix: string;
  readonly argument: boolean;
}

/** What a feature is: its code now, its default, whether it is on, and the forms it takes. */
export interface FeatureCode {
  readonly service: string;
  readonly description: string;
  readonly code: string;
  readonly defaultCode: string;
  readonly enabled: boolean;
  /** How it is dialled, e.g. ["*93*<number>#", "*93#"]. */
  readonly dial: string[];
}

/** An administrator's change to a feature code (what feature-code-settings.ts stores). */
export interface FeatureCodeSetting {
  readonly code: string;
  readonly enabled: boolean;
}

interface Feature {
  description: string;
  defaultCode: string;
  code: string;
  enabled: boolean;
}

interface Active {
  readonly match: string;
  readonly service: string;
  readonly argument: boolean;
}

/** 1-16 of the keys 0-9, * and #. */
export const FEATURE_CODE = /^[*#0-9]{1,16}$/;

export class FeatureCodeTable implements FeatureCodes {
  private readonly features = new Map<string, Feature>();
  private forms: Form[] = [];
  private active: Active[] = [];

  /**
   * Adds a form of a service's code: `code` is the service's default code ("" = off unless the
   * administrator gives it one). Returns a function that removes the form.
   */
  add(
    code: string,
    service: string,
    options: { argument?: boolean; suffix?: string; description?: string } = {},
  ): () => void {
    const feature = this.features.get(service);
    if (feature === undefined) {
      this.features.set(service, {
        description: options.description ?? service,
        defaultCode: code,
        code,
        enabled: code !== "",
      });
    } else if (options.description !== undefined) {
      feature.description = options.description;
    }
    const form: Form = { service, suffix: options.suffix ?? "", argument: options.argument === true };
    this.forms = [...this.forms, form];
    this.rebuild();
    return () => {
      this.forms = this.forms.filter((f) => f !== form);
      if (!this.forms.some((f) => f.service === service)) this.features.delete(service);
      this.rebuild();
    };
  }

  match(dialed: string): FeatureCodeMatch | undefined {
    if (this.active.length === 0) return undefined;
    const number = unescapeUri(dialed);
    const bare = number.endsWith("#") ? number.slice(0, -1) : number;
    for (const c of this.active) {
      if (!c.argument) {
        if (number === c.match || bare === c.match) return { service: c.service, argument: "" };
        continue;
      }
      if (number.length <= c.match.length || !number.startsWith(c.match)) continue;
      const rest = number.slice(c.match.length);
      return { service: c.service, argument: rest.endsWith("#") ? rest.slice(0, -1) : rest };
    }
    return undefined;
  }

  /** Every feature, in service name order (README, admin UI, API). */
  list(): FeatureCode[] {
    return [...this.features.keys()].sort().map((service) => this.view(service)!);
  }

  get(service: string): FeatureCode | undefined {
    return this.view(service);
  }

  /**
   * Changes a feature's code or turns it on or off; throws ValidationError naming the field
   * (`code`, `enabled`) for a bad code, a feature on without a code, or a code another feature
   * already answers to. Unknown services are left to the caller (get() first).
   */
  configure(service: string, change: Partial<FeatureCodeSetting>): FeatureCode {
    const feature = this.features.get(service);
    if (feature === undefined) throw new ValidationError([{ field: "service", message: "no such feature" }]);
    const code = change.code ?? feature.code;
    const enabled = change.enabled ?? feature.enabled;
    const errors: FieldError[] = [];
    if (typeof code !== "string" || (code !== "" && !FEATURE_CODE.test(code)))
      errors.push({ field: "code", message: "must be 1-16 of the keys 0-9, * and #" });
    else if (enabled && code === "")
      errors.push({ field: "code", message: "a feature that is on needs a code" });
    if (typeof enabled !== "boolean") errors.push({ field: "enabled", message: "must be true or false" });
    if (errors.length === 0 && enabled) {
      const clash = this.clash(service, code);
      if (clash !== undefined) errors.push({ field: "code", message: `already used by ${clash}` });
    }
    if (errors.length > 0) throw new ValidationError(errors);
    feature.code = code;
    feature.enabled = enabled;
    this.rebuild();
    return this.view(service)!;
  }

  /** The features whose code or state differ from their defaults (what is worth storing). */
  changes(): Record<string, FeatureCodeSetting> {
    const out: Record<string, FeatureCodeSetting> = {};
    for (const [service, f] of this.features) {
      if (f.code !== f.defaultCode || f.enabled !== (f.defaultCode !== ""))
        out[service] = { code: f.code, enabled: f.enabled };
    }
    return out;
  }

  /** Back to the service's default code. */
  reset(service: string): FeatureCode | undefined {
    const feature = this.features.get(service);
    if (feature === undefined) return undefined;
    feature.code = feature.defaultCode;
    feature.enabled = feature.defaultCode !== "";
    this.rebuild();
    return this.view(service);
  }

  /** Another enabled feature answering to one of this code's forms, if any. */
  private clash(service: string, code: string): string | undefined {
    const mine = new Set(
      this.forms.filter((f) => f.service === service).map((f) => `${f.argument}:${code}${f.suffix}`),
    );
    for (const f of this.forms) {
      if (f.service === service) continue;
      const other = this.features.get(f.service);
      if (other === undefined || !other.enabled) continue;
      if (mine.has(`${f.argument}:${other.code}${f.suffix}`)) return f.service;
    }
    return undefined;
  }

  private view(service: string): FeatureCode | undefined {
    const f = this.features.get(service);
    if (f === undefined) return undefined;
    const dial = this.forms
      .filter((form) => form.service === service)
      .map((form) => (form.argument ? `${f.code}${form.suffix}<argument>#` : `${f.code}#`));
    return {
      service,
      description: f.description,
      code: f.code,
      defaultCode: f.defaultCode,
      enabled: f.enabled,
      dial,
    };
  }

  private rebuild(): void {
    const active: Active[] = [];
    for (const form of this.forms) {
      const f = this.features.get(form.service);
      if (f === undefined || !f.enabled || f.code === "") continue;
      active.push({ match: `${f.code}${form.suffix}`, service: form.service, argument: form.argument });
    }
    this.active = active.sort((a, b) => b.match.length - a.match.length);
  }
}
