/**
 * The rows tenant B makes in the tenant isolation tests (test/api/tenant-isolation.test.ts over
 * createApi, test/e2e/tenants-api.test.ts over HTTP), as tenant A's token probes them: the list
 * routes with the field and value that pick B's row out, and the probes of B's rows that both
 * tests name the same way (hunt group 6001, conference room 8001, calling card 9001, a script
 * trigger). Each test adds the rows only it makes.
 */

export type Probe = [method: "GET" | "PATCH" | "PUT" | "POST" | "DELETE", path: string, body?: object];

/** What B named its rows in one test. */
export interface TenantRowNames {
  readonly user: string;
  readonly line: string;
  readonly trunk: string;
  readonly plan: string;
  /** The field and value that name B's dial plan record in GET /dialplan/analyze. */
  readonly analyze: readonly [field: string, value: string];
  readonly menu: string;
  readonly hours: string;
  readonly script: string;
  readonly emergency: string;
  /** Whether GET /conference-rooms/live lists B's room 8001 (its member joined). */
  readonly liveRoom?: boolean;
}

/** List routes (under /api/v1) with the field and value of B's row in them. */
export function rowLists(n: TenantRowNames): Array<[path: string, field: string, value: string | number]> {
  return [
    ["/users", "name", n.user],
    ["/external-lines", "account", n.line],
    ["/sip-trunks", "trunkId", n.trunk],
    ["/dialplans", "name", n.plan],
    ["/dialplan/analyze", n.analyze[0], n.analyze[1]],
    ["/dialplan/transitions", "id", 42],
    ["/dialplan/refine", "transitionId", 42],
    ["/hunt-groups", "number", "6001"],
    ["/hunt-detections", "calledNumber", "6100"],
    ["/conference-rooms", "number", "8001"],
    ...(n.liveRoom === true
      ? [["/conference-rooms/live", "number", "8001"] as [string, string, string]]
      : []),
    ["/auto-attendant/menus", "name", n.menu],
    ["/auto-attendant/time-conditions", "name", n.hours],
    ["/auto-attendant/entries", "key", "5999"],
    ["/call-lists", "callerPrefix", "5550199"],
    ["/calling-cards", "number", "9001"],
    ["/calling-card-rates", "prefix", "0099887"],
    ["/script-triggers", "script", n.script],
    ["/emergency-numbers", "number", n.emergency],
  ];
}

/** B's hunt group 6001, its hunt detection `detection` and its conference room 8001. */
export function huntAndRoomProbes(detection: number | undefined): Probe[] {
  return [
    ["GET", "/hunt-groups/6001"],
    ["PATCH", "/hunt-groups/6001", { name: "stolen" }],
    ["DELETE", "/hunt-groups/6001"],
    ["PATCH", `/hunt-detections/${detection}`, { calledNumber: "6101" }],
    ["DELETE", `/hunt-detections/${detection}`],
    ["GET", "/conference-rooms/8001"],
    ["PATCH", "/conference-rooms/8001", { name: "stolen" }],
    ["DELETE", "/conference-rooms/8001"],
  ];
}

/** B's calling card 9001. */
export function callingCardProbes(): Probe[] {
  return [
    ["GET", "/calling-cards/9001"],
    ["PATCH", "/calling-cards/9001", { balance: 0 }],
    ["POST", "/calling-cards/9001/credit", { amount: 5 }],
    ["DELETE", "/calling-cards/9001"],
  ];
}

/** B's script trigger `trigger`. */
export function scriptTriggerProbes(trigger: number | undefined): Probe[] {
  return [
    ["GET", `/script-triggers/${trigger}`],
    ["PATCH", `/script-triggers/${trigger}`, { enabled: false }],
    ["DELETE", `/script-triggers/${trigger}`],
  ];
}
