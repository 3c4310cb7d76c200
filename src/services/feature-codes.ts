/**
 * The feature code table: the codes a phone dials to reach a service (`*43` the echo test,
 * `*93*101#` forwarding to 101), analysed before the dial plan (ARCHITECTURE.md, route stage).
 * A code either is the whole number (`*43`) or takes an argument after it, up to an optional
 * final `#` (`*93*` + `101` + `#`). The longest matching code wins, so `*4` and `*43` may coexist.
 *
 * The final `#` comes three ways (issue 15): escaped as `%23` in the Request-URI (RFC 3261 25.1:
 * `#` is not allowed unescaped in a SIP URI's user part, so most phones escape it), raw (some do
 * not), or not at all (the phone ends the number by its own timer or sends `#` later as a digit).
 * So the number is unescaped first (RFC 3261 19.1.4), and one final `#` is optional after a
 * whole code too (`*78`, `*78#`, `*78%23` are the same code).
 */
import type { FeatureCodeMatch, FeatureCodes } from "../call/stages/route.js";
import { unescapeUri } from "../sip/index.js";

interface Code {
  readonly code: string;
  readonly service: string;
  readonly argument: boolean;
}

export class FeatureCodeTable implements FeatureCodes {
  private codes: Code[] = [];

  /**
   * Adds a code for a service; an empty code adds nothing (the setting turned it off). Returns
   * a function that removes it.
   */
  add(code: string, service: string, options: { argument?: boolean } = {}): () => void {
    if (code === "") return () => {};
    const entry: Code = { code, service, argument: options.argument === true };
    this.codes = [...this.codes, entry].sort((a, b) => b.code.length - a.code.length);
    return () => {
      this.codes = this.codes.filter((c) => c !== entry);
    };
  }

  match(dialed: string): FeatureCodeMatch | undefined {
    if (this.codes.length === 0) return undefined;
    const number = unescapeUri(dialed);
    const bare = number.endsWith("#") ? number.slice(0, -1) : number;
    for (const c of this.codes) {
      if (!c.argument) {
        if (number === c.code || bare === c.code) return { service: c.service, argument: "" };
        continue;
      }
      if (number.length <= c.code.length || !number.startsWith(c.code)) continue;
      const rest = number.slice(c.code.length);
      return { service: c.service, argument: rest.endsWith("#") ? rest.slice(0, -1) : rest };
    }
    return undefined;
  }

  /** The codes, for the README's table and the admin UI. */
  list(): ReadonlyArray<{ code: string; service: string; argument: boolean }> {
    return this.codes;
  }
}
