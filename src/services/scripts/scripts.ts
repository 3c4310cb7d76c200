/**
 * The script service as the server runs it (issue 18): one VM host (src/scripting), the script
 * files of the data directory (the shipped ones installed at start), the trigger records, and the
 * namespaces each run sees beside `call` (host-namespaces.ts). The worker threads that run the
 * VMs are the process's, shared by every tenant's service (shared-script-pool.ts).
 */
import type { CallControl } from "../../call/call-control.js";
import type { DetectionPointTable, PointContext } from "../../call/detection-points.js";
import type { MediaServer } from "../../media/media-server.js";
import { dialPlanOfUser } from "../../routing/routing-plan.js";
import { acquireScriptPool, LuaVmHost, ScriptFiles } from "../../scripting/index.js";
import type { RoutingSnapshot } from "../../store/routing-validation.js";
import type { Logger } from "../../util/logger.js";
import type { FeatureCodeTable } from "../feature-codes.js";
import { addCallingCardCode } from "./calling-card-code.js";
import { type HostNamespaceDeps, hostNamespaces } from "./host-namespaces.js";
import { ScriptService } from "./script-service.js";
import { installShippedScripts } from "./shipped-scripts.js";
import type { TriggerRecord } from "./trigger-table.js";

export interface ScriptsOptions extends HostNamespaceDeps {
  readonly points: DetectionPointTable;
  /** Where the calling card's code (*300*) is added. */
  readonly features: FeatureCodeTable;
  readonly media: MediaServer;
  readonly calls: CallControl;
  readonly dataDir: string;
  readonly logger: Logger;
  readonly triggers?: {
    list(domainId: number): Promise<readonly TriggerRecord[]>;
    onChange?(listener: (domainId: number) => void): void;
  };
  readonly routing: { snapshot(domainId: number): Promise<RoutingSnapshot> };
}

export interface Scripts {
  readonly files: ScriptFiles;
  readonly service: ScriptService;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createScripts(o: ScriptsOptions): Scripts {
  // The VMs that run on calls live in worker threads; this host only checks the syntax of saves.
  const host = new LuaVmHost({ warmModules: 0 });
  // One pool for all tenants: a pool of its own gave every tenant a worker thread (issue 21).
  const share = acquireScriptPool();
  const pool = share.pool;
  const files = new ScriptFiles(o.dataDir, host);
  const triggers = o.triggers;
  const service = new ScriptService({
    files,
    runner: pool,
    media: o.media,
    calls: o.calls,
    dataDir: o.dataDir,
    logger: o.logger,
    ...(triggers === undefined
      ? {}
      : {
          triggers: {
            list: (domainId: number) => triggers.list(domainId),
            onChange: (listener: (domainId: number) => void) => triggers.onChange?.(listener),
            dialPlanOf: (context: PointContext) => dialPlanOf(o.routing, context),
          },
        }),
    namespaces: (run) => hostNamespaces(o, run),
  });
  const removals = [service.register(o.points), addCallingCardCode(o.features)];
  return {
    files,
    service,
    async start() {
      const copied = await installShippedScripts(files.dir);
      if (copied.length > 0) o.logger.info({ scripts: copied }, "scripts: shipped scripts installed");
      await pool.start();
    },
    stop() {
      for (const remove of removals) remove();
      files.close();
      host.close();
      return share.release();
    },
  };
}

/** The dial plan of the call's caller: its user's plan, its line's or trunk's, else "default". */
async function dialPlanOf(routing: ScriptsOptions["routing"], context: PointContext): Promise<string> {
  const snapshot = await routing.snapshot(context.caller.domainId);
  if (context.callerUser !== undefined) return dialPlanOfUser(snapshot, context.callerUser.name);
  const inbound = context.inbound;
  if (inbound?.kind === "line")
    return snapshot.lines.find((l) => l.account === inbound.name)?.dialPlan ?? "default";
  if (inbound?.kind === "trunk")
    return snapshot.trunks.find((t) => t.trunkId === inbound.name)?.dialPlan ?? "default";
  return "default";
}
