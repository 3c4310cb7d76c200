/**
 * Keeps one registration per type 0 line that registers (not "do not register"), in step with
 * the stored lines: a new or changed line (re)registers, a removed one unregisters. Sync runs at
 * start and after every change through the API.
 */
import type { ExternalLine } from "../store/routing-model.js";
import type { Clock } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import type { CarrierState } from "./carrier-state.js";
import { LineRegistration, type LineRegistrationOptions, type RequestSender } from "./line-registration.js";
import { resolveDestination } from "./resolve.js";

export interface LineManagerOptions {
  readonly load: () => Promise<readonly ExternalLine[]>;
  readonly sender: RequestSender;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly carriers: CarrierState;
  readonly contactHostPort: string;
  readonly freshCallIdOnAuth: boolean;
  readonly resolve?: LineRegistrationOptions["resolve"];
  readonly backoffMs?: number;
  /** A line went online or offline. */
  readonly onState?: (account: string, online: boolean) => void;
}

export class LineManager {
  private readonly registrations = new Map<string, { reg: LineRegistration; config: string }>();
  private syncing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly o: LineManagerOptions) {}

  /** Registers what should be and unregisters what should not; serialized, so changes never race. */
  sync(): Promise<void> {
    this.syncing = this.syncing.then(
      () => this.syncNow(),
      () => this.syncNow(),
    );
    return this.syncing;
  }

  private async syncNow(): Promise<void> {
    if (this.stopped) return;
    const lines = await this.o.load();
    const wanted = new Map(
      lines.filter((l) => l.type === 0 && !l.doNotRegister && l.server !== "").map((l) => [l.account, l]),
    );
    for (const [account, entry] of this.registrations) {
      const line = wanted.get(account);
      if (line !== undefined && JSON.stringify(line) === entry.config) continue;
      entry.reg.stop();
      this.registrations.delete(account);
      this.o.carriers.setLineOnline(account, false);
    }
    for (const [account, line] of wanted) {
      if (this.registrations.has(account)) continue;
      const reg = new LineRegistration({
        line,
        sender: this.o.sender,
        clock: this.o.clock,
        logger: this.o.logger,
        contactHostPort: this.o.contactHostPort,
        resolve: this.o.resolve ?? resolveDestination,
        freshCallIdOnAuth: this.o.freshCallIdOnAuth,
        onState: (name, online) => {
          this.o.carriers.setLineOnline(name, online);
          this.o.logger.info({ line: name, state: online ? "online" : "offline" }, "external line state");
          this.o.onState?.(name, online);
        },
        ...(this.o.backoffMs === undefined ? {} : { backoffMs: this.o.backoffMs }),
      });
      this.registrations.set(account, { reg, config: JSON.stringify(line) });
      reg.start();
    }
  }

  /** Unregisters every line (at shutdown). */
  stop(): void {
    this.stopped = true;
    for (const { reg } of this.registrations.values()) reg.stop();
    this.registrations.clear();
  }
}
