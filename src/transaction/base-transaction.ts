import type { TimerHandle } from "../util/clock.js";
import type { TransactionContext } from "./transaction-context.js";
import type {
  TimerName,
  Transaction,
  TransactionEvent,
  TransactionFailure,
  TransactionState,
} from "./types.js";

/** A per-state handler: the transaction and the one event type. */
export type StateHandler<T> = (tx: T, event: TransactionEvent) => void;

/** The static description of a state machine, shared by every instance of a class. */
export interface MachineTable<S extends string, T> {
  /** One handler per state. */
  readonly handlers: Readonly<Record<S, StateHandler<T>>>;
  /** The legal edges out of each state. */
  readonly edges: Readonly<Record<S, readonly S[]>>;
  /** Timers that may keep running in each state; entering a state stops every other timer. */
  readonly timers: Readonly<Record<S, readonly TimerName[]>>;
}

/**
 * What all four transaction machines share (pjsip's pjsip_transaction): the state, the timers
 * and the one `transition()` every state change goes through.
 */
export abstract class BaseTransaction<S extends TransactionState> {
  state: S = "initial" as S;
  failure: TransactionFailure | undefined;
  /** The current retransmission interval of Timer A, E or G (RFC 3261 17.1.1.2, 17.1.2.2, 17.2.1). */
  protected interval = 0;
  /** One handle per running timer. */
  private timerHandles: Partial<Record<TimerName, TimerHandle>> | undefined;
  /** A timer of 0 ms (reliable transports) fires right after the transition that started it. */
  private dueNow: TimerName | undefined;

  protected constructor(
    protected readonly ctx: TransactionContext,
    readonly key: string,
    /** True over TCP/TLS: no retransmission timers, D/I/J/K are 0 (RFC 3261 17). */
    protected reliable: boolean,
  ) {}

  /** The machine's table; a getter on the prototype, so instances carry no copy. */
  protected abstract get table(): MachineTable<S, this>;

  abstract get kind(): Transaction["kind"];

  /** Feed one event to the handler of the current state. */
  dispatch(event: TransactionEvent): void {
    this.table.handlers[this.state](this, event);
  }

  /**
   * The only way the state changes: check the edge, stop the timers the new state does not keep,
   * start its own (`enter`), report the change, then fire a 0 ms timer the new state set.
   */
  protected transition(to: S): void {
    const from = this.state;
    if (!this.table.edges[from].includes(to)) {
      throw new Error(`${this.constructor.name}: illegal transition ${from} -> ${to}`);
    }
    this.state = to;
    const kept = this.table.timers[to];
    const handles = this.timerHandles;
    if (handles) {
      for (const name of Object.keys(handles) as TimerName[]) {
        if (!kept.includes(name)) this.stopTimer(name);
      }
    }
    this.enter(to);
    this.ctx.stateChanged(this, from, to);
    const due = this.dueNow;
    if (due !== undefined) {
      this.dueNow = undefined;
      this.dispatch({ type: "timer", timer: due });
    }
  }

  /** Start the timers of a state just entered. */
  protected abstract enter(state: S): void;

  /** Start (or restart) a timer. 0 ms fires right after the current transition. */
  protected startTimer(name: TimerName, ms: number): void {
    this.stopTimer(name);
    if (ms <= 0) {
      this.dueNow = name;
      return;
    }
    this.timerHandles ??= {};
    this.timerHandles[name] = this.ctx.clock.setTimer(ms, () => {
      if (this.timerHandles) this.timerHandles[name] = undefined;
      this.dispatch({ type: "timer", timer: name });
    });
  }

  protected stopTimer(name: TimerName): void {
    const handles = this.timerHandles;
    const handle = handles?.[name];
    if (handles && handle) {
      handle.cancel();
      handles[name] = undefined;
    }
  }

  /** True while the named timer is running (for tests and diagnostics). */
  isTimerRunning(name: TimerName): boolean {
    return this.timerHandles?.[name] !== undefined;
  }
}
