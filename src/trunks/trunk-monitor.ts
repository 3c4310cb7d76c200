/**
 * The live state of SIP trunks: an OPTIONS to each peer now and then (RFC 3261 11: "query ...
 * capabilities"; any final answer means the peer is up, a timeout or transport error that it is
 * down). Checked at start, after a change to the trunks, and every `intervalMs`.
 */
import { generateCallId, generateTag } from "../sip/ids.js";
import { createRequest } from "../sip/index.js";
import type { SipTrunk } from "../store/routing-model.js";
import type { Clock, TimerHandle } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import type { RequestSender } from "./line-registration.js";
import { resolveDestination } from "./resolve.js";

export type TrunkState = "online" | "offline" | "unknown";

export interface TrunkMonitorOptions {
  readonly load: () => Promise<readonly SipTrunk[]>;
  readonly sender: RequestSender;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The host of Parley's From. */
  readonly localHost: string;
  readonly intervalMs: number;
  /** A trunk's state changed. */
  readonly onChange?: () => void;
}

export class TrunkMonitor {
  private readonly states = new Map<string, TrunkState>();
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(private readonly o: TrunkMonitorOptions) {}

  state(trunkId: string): TrunkState {
    return this.states.get(trunkId) ?? "unknown";
  }

  start(): void {
    this.run();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Pings every trunk now (the trunks changed) and keeps the interval. */
  run(): void {
    if (this.stopped) return;
    this.timer?.cancel();
    this.check().catch((error: unknown) => this.o.logger.warn({ err: error }, "SIP trunks: check failed"));
    this.timer = this.o.clock.setTimer(this.o.intervalMs, () => this.run());
  }

  private async check(): Promise<void> {
    const trunks = await this.o.load();
    const ids = new Set(trunks.map((t) => t.trunkId));
    for (const id of [...this.states.keys()]) if (!ids.has(id)) this.states.delete(id);
    await Promise.all(trunks.map((trunk) => this.ping(trunk)));
  }

  private async ping(trunk: SipTrunk): Promise<void> {
    const peer =
      trunk.address.includes(":") && !trunk.address.startsWith("[") ? `[${trunk.address}]` : trunk.address;
    const transport = trunk.transport === "udp" ? "" : `;transport=${trunk.transport}`;
    const request = createRequest({
      method: "OPTIONS",
      uri: `sip:${peer}:${trunk.port}${transport}`,
      headers: [
        ["Max-Forwards", "70"],
        ["From", `<sip:parley@${this.o.localHost}>;tag=${generateTag()}`],
        ["To", `<sip:${peer}:${trunk.port}>`],
        ["Call-ID", generateCallId()],
        ["CSeq", "1 OPTIONS"],
        ["Accept", "application/sdp"],
      ],
    });
    let destination: Awaited<ReturnType<typeof resolveDestination>>;
    try {
      destination = await resolveDestination(trunk.address, trunk.port, trunk.transport);
    } catch {
      this.set(trunk.trunkId, "offline");
      return;
    }
    await new Promise<void>((done) => {
      this.o.sender.sendRequest(request, destination, {
        onResponse: (response) => {
          if (response.status < 200) return;
          // RFC 3261 8.1.3.1 / 17.1.4: a timeout or transport error comes back as 408 / 503.
          this.set(trunk.trunkId, response.status === 408 || response.status === 503 ? "offline" : "online");
          done();
        },
      });
    });
  }

  private set(trunkId: string, state: TrunkState): void {
    if (this.states.get(trunkId) === state) return;
    this.states.set(trunkId, state);
    this.o.logger.info({ trunk: trunkId, state }, "SIP trunk state");
    this.o.onChange?.();
  }
}
