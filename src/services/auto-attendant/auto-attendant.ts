/**
 * The auto-attendant (IVR; issue 17, FEATURES.md section 6): Parley answers the call, plays a
 * menu's greeting and collects keys (RFC 4733 or SIP INFO), then hands the caller on to what the
 * key names (menu-session.ts). Calls enter it:
 * - in on an external line whose incoming calls go to the auto-attendant (transferTo), or from
 *   an FXO gateway's line set so, at "attempted" after hunt group detection (which has priority,
 *   FEATURES.md section 5 worked example 3);
 * - to a number that has an entry point of kind "number" (a dial plan's way in), at "attempted";
 * - to a local user flagged "automatic attendant", at "reachesCallee" (so a dial plan route that
 *   ends at that user reaches it too);
 * - through a dial plan route of type "auto-attendant" (the service AUTO_ATTENDANT_SERVICE): the
 *   number routed (after the record's transition) names the entry point, else the default menu.
 * The entry point names a menu or a time condition (office hours, office-hours.ts) whose
 * destination answers now: a menu, or at once a user, number, group or voicemail. Without an
 * entry point the default menu answers.
 *
 * The caller keeps its identity: the legs rung from the menu carry the caller's From (Parley's
 * hand-off, src/call/endpoint-handoff.ts). The CDR records the choice on the auto-attendant's
 * leg, whose peer reads `parley:auto-attendant;menu=<name>;key=<key>` (key: the key pressed, the
 * extension dialled, "timeout", "invalid" or "time-condition").
 */
import type { CallControl } from "../../call/call-control.js";
import type { DetectionPointTable, PointContext, Verdict } from "../../call/detection-points.js";
import type { FinalStatus } from "../../call/media-endpoint.js";
import { callStatus } from "../../core/status-catalogue.js";
import type { MediaServer } from "../../media/media-server.js";
import { AUTO_ATTENDANT_SERVICE } from "../../routing/types.js";
import {
  type AutoAttendantMenu,
  DEFAULT_MENU_NAME,
  type Destination,
  type EntryKind,
  MENU_DEFAULTS,
  type MenuAction,
} from "../../store/auto-attendant-model.js";
import type { AutoAttendantRepository } from "../../store/auto-attendant-repository.js";
import type { RoutingSnapshot } from "../../store/routing-validation.js";
import type { LocalUser } from "../../store/user-model.js";
import type { Logger } from "../../util/logger.js";
import { VOICEMAIL_DEPOSIT_SERVICE } from "../voicemail/deposit.js";
import { EntryCache } from "./entry-cache.js";
import type { MenuGreetings } from "./greetings.js";
import { type Connection, MenuSession } from "./menu-session.js";
import { destinationAt } from "./office-hours.js";

/** At "attempted": after the lists (5), hunt group detection (10) and conference rooms (11). */
export const AUTO_ATTENDANT_ORDER = 12;
/** At "reachesCallee": before forwarding (10) and DND (20): the user is the attendant. */
export const AUTO_ATTENDANT_USER_ORDER = 1;
export const AUTO_ATTENDANT_PEER = "parley:auto-attendant";

export interface AutoAttendantDeps {
  readonly repository: AutoAttendantRepository;
  readonly routing: { snapshot(domainId: number): Promise<RoutingSnapshot> };
  readonly users: {
    lookup(domainId: number, name: string): Promise<{ readonly user: LocalUser } | undefined>;
  };
  readonly media: MediaServer;
  readonly calls: CallControl;
  readonly greetings: MenuGreetings;
  readonly logger: Logger;
  /** Wall-clock epoch milliseconds: office hours are read at this moment. */
  readonly now?: () => number;
}

/** The built-in default menu, when the store has none (a domain made after start). */
const BUILT_IN_DEFAULT: AutoAttendantMenu = {
  ...MENU_DEFAULTS,
  id: 0,
  domainId: 0,
  name: DEFAULT_MENU_NAME,
  createdAt: 0,
  updatedAt: 0,
};

export class AutoAttendantService {
  /** Contexts the service itself asks "attempted" with (a number from a menu): not an entry. */
  private readonly asking = new WeakSet<PointContext>();
  private readonly now: () => number;
  private readonly entries: EntryCache;

  constructor(private readonly deps: AutoAttendantDeps) {
    this.now = deps.now ?? Date.now;
    this.entries = new EntryCache(deps.repository);
  }

  register(points: DetectionPointTable): () => void {
    const removals = [
      points.decide("attempted", "auto-attendant", (c) => this.attempted(points, c), AUTO_ATTENDANT_ORDER),
      // A dial plan route of type auto-attendant: the number routed picks the entry point.
      points.service(AUTO_ATTENDANT_SERVICE, (c) => this.enter(points, c, "number", c.number)),
      points.decide(
        "reachesCallee",
        "auto-attendant.user",
        (c) =>
          c.calleeUser?.autoAttendant === true ? this.enter(points, c, "user", c.calleeUser.name) : undefined,
        AUTO_ATTENDANT_USER_ORDER,
      ),
    ];
    return () => {
      for (const remove of removals) remove();
    };
  }

  private async attempted(points: DetectionPointTable, context: PointContext): Promise<Verdict | undefined> {
    if (this.asking.has(context)) return undefined;
    const domainId = context.caller.domainId;
    const inbound = context.inbound;
    if (inbound?.kind === "line" || (inbound === undefined && context.callerUser === undefined)) {
      // A line's call, or an FXO gateway's (authenticated as its line's account).
      const account = inbound?.name ?? context.caller.user;
      const lines = (await this.deps.routing.snapshot(domainId)).lines;
      const line = lines.find((l) => l.account === account && (inbound !== undefined || l.type === 1));
      if (line?.transferTo === "auto-attendant") return this.enter(points, context, "line", line.account);
    }
    if ((await this.entries.entry(domainId, "number", context.dialed)) !== undefined)
      return this.enter(points, context, "number", context.dialed);
    return undefined;
  }

  /** The entry point's menu or time condition answers the call. */
  private async enter(
    points: DetectionPointTable,
    context: PointContext,
    kind: EntryKind,
    key: string,
  ): Promise<Verdict> {
    const domainId = context.caller.domainId;
    const repository = this.deps.repository;
    const entry = await this.entries.entry(domainId, kind, key);
    let destination: Destination = { kind: "menu", target: entry?.menu || DEFAULT_MENU_NAME };
    if (entry !== undefined && entry.timeCondition !== "") {
      const condition = await repository.timeCondition(domainId, entry.timeCondition);
      if (condition !== undefined) {
        const chosen = destinationAt(condition, this.now());
        this.deps.logger.info(
          { condition: condition.name, period: chosen.period, to: chosen.destination },
          "auto-attendant: office hours",
        );
        destination = chosen.destination;
      }
    }
    const start = destination.kind === "menu" ? await this.menu(domainId, destination.target) : undefined;
    // Straight to a user, number, group or voicemail: no menu plays.
    if (destination.kind !== "menu" && destination.kind !== "hangup")
      return this.verdictFor(points, context, destination);
    return this.answer(
      points,
      context,
      start ?? (await this.menu(domainId, DEFAULT_MENU_NAME))!,
      destination,
    );
  }

  /** Parley answers and runs the menu (or says goodbye, for a "hangup" destination). */
  private answer(
    points: DetectionPointTable,
    context: PointContext,
    start: AutoAttendantMenu,
    destination: Destination,
  ): Verdict {
    const { media, logger } = this.deps;
    const domainId = context.caller.domainId;
    const endpoint = media.sipEndpoint(AUTO_ATTENDANT_PEER, async ({ endpoint: handle }) => {
      const session = new MenuSession({
        endpoint: handle,
        speak: (parts) => media.speech(parts),
        menu: (name) => this.menu(domainId, name),
        greeting: (menu) => this.deps.greetings.path(menu, media.language),
        userExists: async (name) => (await this.deps.users.lookup(domainId, name)) !== undefined,
        groupExists: async (number) => {
          const verdict = await this.attemptedAs(points, context, number);
          return verdict !== undefined && verdict.kind !== "refuse";
        },
        connect: (to) => this.connect(points, context, endpoint, to),
        caller: context.caller.user,
        logger,
      });
      if (destination.kind === "hangup") await session.runAction(destination, start);
      else await session.run(start);
    });
    return {
      kind: "endpoint",
      target: { party: { domainId, user: context.dialed, displayName: "Auto-attendant" }, endpoint },
    };
  }

  /** The menu by name: the stored one, the built-in default for "default", else undefined. */
  private async menu(domainId: number, name: string): Promise<AutoAttendantMenu | undefined> {
    const stored = await this.deps.repository.menu(domainId, name);
    if (stored !== undefined || name !== DEFAULT_MENU_NAME) return stored;
    return { ...BUILT_IN_DEFAULT, domainId };
  }

  /** A menu's choice: the caller is handed on, the CDR leg marked with the menu and key. */
  private async connect(
    points: DetectionPointTable,
    context: PointContext,
    endpoint: Parameters<CallControl["handOff"]>[0],
    to: Connection,
  ): Promise<FinalStatus> {
    const verdict = await this.verdictFor(points, context, to.action);
    if (verdict.kind === "refuse") return callStatus(verdict.code);
    const note = `menu=${to.menu};key=${to.key}`;
    return this.deps.calls.handOff(endpoint, verdict, { dialed: to.action.target, note });
  }

  /**
   * What an action's target is as a call: the voicemail deposit of a user, or the number as if
   * the caller dialled it: first the services at "attempted" (a hunt group's number), then the
   * dial plan with the caller's rights (a local user, a ringing group, a line out).
   */
  private async verdictFor(
    points: DetectionPointTable,
    context: PointContext,
    to: MenuAction,
  ): Promise<Verdict> {
    if (to.kind === "voicemail") {
      const deposit = points.serviceNamed(VOICEMAIL_DEPOSIT_SERVICE);
      if (deposit === undefined) return { kind: "refuse", code: "no-service" };
      return deposit({ ...context, number: to.target, argument: to.target });
    }
    return (await this.attemptedAs(points, context, to.target)) ?? { kind: "route", number: to.target };
  }

  /** The services at "attempted" (a hunt group's, a conference room's number) for `number`. */
  private attemptedAs(points: DetectionPointTable, context: PointContext, number: string) {
    const asked: PointContext = { ...context, dialed: number };
    this.asking.add(asked);
    return points.ask("attempted", asked);
  }

  /** Creates the default menu of a domain when it has none (at start). */
  async start(domainId: number): Promise<void> {
    if (await this.deps.repository.ensureDefaultMenu(domainId))
      this.deps.logger.info({ menu: DEFAULT_MENU_NAME }, "auto-attendant: default menu created");
  }
}
