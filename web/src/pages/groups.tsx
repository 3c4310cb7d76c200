/**
 * Ringing and hunt groups (issue 16; FEATURES.md sections 2, 5 and 6): the ringing groups as the
 * users' ringing group IDs make them, each member with its live state (who is ringing now); the
 * hunt groups (number, members in order, strategy, ring time, what happens when nobody answers,
 * who answered last) and the hunt group detection table, each edited in place. Errors name the
 * field.
 */
import { useCallback, useEffect, useState } from "react";
import type { Static } from "typebox";
import type { HuntDetectionItem, HuntGroupItem } from "../../../src/api/routes/hunt-groups";
import { DataTable } from "../components/data-table";
import { type FieldGroup, FormFailure } from "../components/form";
import { type Row, TableEditor, textColumn } from "../components/table-editor";
import { PageHeader, StateBadge } from "../components/ui";
import { useI18n } from "../i18n";
import type { MessageKey } from "../i18n/en";
import { api } from "../lib/api";
import type { User, UserPage } from "../lib/api-types";
import { useLive } from "../lib/live";

type HuntGroup = Static<typeof HuntGroupItem>;
type HuntDetection = Static<typeof HuntDetectionItem>;

const STRATEGIES = ["linear", "circular", "parallel"] as const satisfies HuntGroup["strategy"][];
const NO_ANSWER = ["busy", "voicemail", "number"] as const satisfies HuntGroup["noAnswer"][];

const GROUP_FIELDS: FieldGroup[] = [
  {
    title: "group.basic",
    fields: [
      { path: "number", kind: "text", label: "col.huntNumber" },
      { path: "name", kind: "text", label: "col.huntName" },
      { path: "members", kind: "csv", label: "col.huntMembers", hint: "hint.huntMembers" },
      {
        path: "strategy",
        kind: "select",
        label: "col.strategy",
        options: STRATEGIES.map((s) => ({ value: s, label: `opt.strategy.${s}` as MessageKey })),
      },
      { path: "ringTime", kind: "int", label: "col.ringTime", hint: "hint.ringTime" },
      {
        path: "noAnswer",
        kind: "select",
        label: "col.noAnswer",
        options: NO_ANSWER.map((a) => ({ value: a, label: `opt.noAnswer.${a}` as MessageKey })),
      },
      {
        path: "noAnswerTarget",
        kind: "text",
        label: "col.noAnswerTarget",
        hint: "hint.noAnswerTarget",
        when: (v) => v.noAnswer !== "busy",
      },
    ],
  },
];

const GROUP_DEFAULTS: Row = {
  number: "",
  name: "",
  members: [],
  strategy: "linear",
  ringTime: 20,
  noAnswer: "busy",
  noAnswerTarget: "",
} satisfies Omit<HuntGroup, "id" | "createdAt" | "updatedAt" | "lastAnswered">;

const DETECTION_FIELDS: FieldGroup[] = [
  {
    title: "group.basic",
    fields: [
      { path: "dialPlan", kind: "text", label: "col.dialPlan" },
      { path: "calledNumber", kind: "text", label: "col.calledNumber" },
      { path: "huntGroup", kind: "text", label: "col.huntGroup" },
    ],
  },
];

const DETECTION_DEFAULTS: Row = { dialPlan: "default", calledNumber: "", huntGroup: "" } satisfies Pick<
  HuntDetection,
  "dialPlan" | "calledNumber" | "huntGroup"
>;

/** Users by ringing group ID (0 = none), read in pages of the API's largest size. */
async function ringingGroups(): Promise<Map<number, User[]>> {
  const groups = new Map<number, User[]>();
  for (let offset = 0; ; offset += 1000) {
    const page = await api.get<UserPage>("/users", { offset, limit: 1000 });
    for (const user of page.items)
      if (user.ringingGroupId !== 0)
        groups.set(user.ringingGroupId, [...(groups.get(user.ringingGroupId) ?? []), user]);
    if (offset + page.items.length >= page.total || page.items.length === 0) return groups;
  }
}

/** The ringing groups, each member with its live state (ringing, talking, online, offline). */
function RingingGroups() {
  const { t } = useI18n();
  const { snapshot } = useLive();
  const liveState = new Map(snapshot?.users.map((u) => [u.name, u.state]));
  const [groups, setGroups] = useState<Map<number, User[]>>();
  const [failure, setFailure] = useState<unknown>();
  const load = useCallback(async () => {
    try {
      setGroups(await ringingGroups());
    } catch (error) {
      setFailure(error);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  const rows = groups === undefined ? undefined : [...groups].sort(([a], [b]) => a - b);
  return (
    <>
      <FormFailure failure={failure} />
      <DataTable
        rows={rows}
        rowKey={([id]) => id}
        empty="groups.noRinging"
        showLoading
        columns={[
          { label: "col.groupId", kind: "rowHeader", cell: ([id]) => String(id) },
          {
            label: "col.groupMembers",
            cell: ([id, users]) => (
              <span data-testid={`ringing-group-${id}`}>
                {users.map((u) => (
                  <span key={u.name} className="group-member" data-testid={`ringing-member-${u.name}`}>
                    {u.name} <StateBadge state={liveState.get(u.name) ?? u.state} />
                    {u.suppressRingGroupOnDirectCall ? ` (${t("groups.suppressed")})` : ""}{" "}
                  </span>
                ))}
              </span>
            ),
          },
        ]}
      />
    </>
  );
}

export function GroupsPage() {
  const { t } = useI18n();
  const strategy = (row: Row) => t(`opt.strategy.${String(row.strategy)}` as MessageKey);
  const noAnswer = (row: Row) =>
    row.noAnswer === "busy"
      ? t("opt.noAnswer.busy")
      : `${t(`opt.noAnswer.${String(row.noAnswer)}` as MessageKey)}: ${String(row.noAnswerTarget)}`;
  return (
    <section data-testid="page-groups">
      <PageHeader title={t("groups.title")} />
      <h2>{t("groups.ringing")}</h2>
      <p className="hint">{t("groups.ringingHelp")}</p>
      <RingingGroups />
      <h2>{t("groups.hunt")}</h2>
      <p className="hint">{t("groups.huntHelp")}</p>
      <TableEditor
        path="/hunt-groups"
        keyOf={(row) => String(row.number)}
        columns={[
          textColumn("col.huntNumber", "number", t),
          textColumn("col.huntName", "name", t),
          textColumn("col.huntMembers", "members", t),
          { label: "col.strategy", cell: strategy },
          textColumn("col.ringTime", "ringTime", t),
          { label: "col.noAnswer", cell: noAnswer },
          textColumn("col.lastAnswered", "lastAnswered", t),
        ]}
        groups={GROUP_FIELDS}
        defaults={GROUP_DEFAULTS}
        newLabel="groups.newGroup"
        deleteWhat="groups.deleteGroup"
        featureName={t("groups.hunt")}
        testId="hunt-groups"
      />
      <h2>{t("groups.detection")}</h2>
      <p className="hint">{t("groups.detectionHelp")}</p>
      <TableEditor
        path="/hunt-detections"
        keyOf={(row) => String(row.id)}
        columns={[
          textColumn("col.dialPlan", "dialPlan", t),
          textColumn("col.calledNumber", "calledNumber", t),
          textColumn("col.huntGroup", "huntGroup", t),
        ]}
        groups={DETECTION_FIELDS}
        defaults={DETECTION_DEFAULTS}
        newLabel="groups.newDetection"
        deleteWhat="groups.deleteDetection"
        featureName={t("groups.detection")}
        testId="hunt-detections"
      />
    </section>
  );
}
