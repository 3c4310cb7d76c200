/**
 * Dial plan engine throughput on one core: routeNumber() with a transition and a re-analysis,
 * then refineNumber(), over plans of 100 and 10,000 analyze records (longest prefix by a linear
 * scan: this shows where a prefix tree would start to pay).
 * Run: node --import tsx bench/dialplan.bench.ts
 */
import { type AnalyzeRecord, type DialPlanTables, refineNumber, routeNumber } from "../src/routing/index.js";

function tables(records: number): DialPlanTables {
  const analyze: AnalyzeRecord[] = [];
  const base = {
    dialPlan: "default",
    externalLine: "",
    outgoingGroupId: 0,
    sipTrunk: "",
    rejectStatus: 0,
    changeNumber: false,
    transitionId: 0,
    reanalyze: false,
    callRight: 0,
  };
  // "*0" + number: strip two digits and analyze again; then 4-digit prefixes to trunks.
  analyze.push({
    ...base,
    prefix: "*0",
    routeType: "local-user",
    changeNumber: true,
    transitionId: 1,
    reanalyze: true,
  });
  for (let i = 0; analyze.length < records; i++) {
    analyze.push({ ...base, prefix: String(1000 + i), routeType: "sip-trunk", sipTrunk: `t${i % 10}` });
  }
  return {
    dialPlans: ["default"],
    analyze,
    transitions: [
      { id: 1, type: "delete", start: 0, length: 2, text: "" },
      { id: 2, type: "replace", start: 0, length: 1, text: "0086" },
    ],
    refine: [{ outgoingGroupId: 1, prefix: "0", transitionId: 2 }],
    outGroupPrefix: "9",
  };
}

const context = { dialPlan: "default", callRight: 0, origin: "user" as const };
for (const records of [100, 10_000]) {
  const t = tables(records);
  const numbers = Array.from({ length: 1000 }, (_, i) => `*0${1000 + ((i * 7) % (records - 1))}5551234`);
  let sink = 0;
  const started = process.hrtime.bigint();
  let n = 0;
  const deadline = Date.now() + 1500;
  while (Date.now() < deadline) {
    for (const number of numbers) {
      const { route } = routeNumber(t, number, context);
      if (route.kind === "sip-trunk") sink += refineNumber(t, route.number, 1).number.length;
      n++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(
    `BENCH dialplan.route records=${records} per_s=${Math.round(n / seconds)} (analyze, transition, re-analysis, refine; sink ${sink % 10})`,
  );
}
