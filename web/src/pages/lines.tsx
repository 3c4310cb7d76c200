/** External lines and SIP trunks (FEATURES.md sections 3 and 4). */
import type { FieldGroup } from "../components/form";
import { type Row, TableEditor, textColumn } from "../components/table-editor";
import { PageHeader, StateBadge } from "../components/ui";
import { useI18n } from "../i18n";

const TRANSPORTS = [
  { value: "udp", label: "opt.udp" },
  { value: "tcp", label: "opt.tcp" },
  { value: "tls", label: "opt.tls" },
] as const;

const LINE_GROUPS: FieldGroup[] = [
  {
    title: "group.basic",
    fields: [
      {
        path: "type",
        kind: "select",
        numeric: true,
        label: "col.type",
        options: [
          { value: "0", label: "opt.lineType.0" },
          { value: "1", label: "opt.lineType.1" },
        ],
      },
      { path: "account", kind: "text", label: "col.account" },
      { path: "password", kind: "password", label: "col.password" },
      { path: "server", kind: "text", label: "col.server" },
      { path: "serverPort", kind: "int", label: "col.serverPort" },
      { path: "transport", kind: "select", label: "col.transport", options: TRANSPORTS },
      { path: "authorizationId", kind: "text", label: "col.authorizationId" },
    ],
  },
  {
    title: "group.incoming",
    fields: [
      {
        path: "transferTo",
        kind: "select",
        label: "col.transferTo",
        options: [
          { value: "destination", label: "opt.transferTo.destination" },
          { value: "auto-attendant", label: "opt.transferTo.auto-attendant" },
        ],
      },
      { path: "destinationNumber", kind: "text", label: "col.destinationNumber" },
      { path: "dialPlan", kind: "text", label: "col.dialPlan" },
    ],
  },
  {
    title: "group.outgoing",
    fields: [
      { path: "outboundProxy.enabled", kind: "bool", label: "col.outboundProxy.enabled" },
      { path: "outboundProxy.address", kind: "text", label: "col.outboundProxy.address" },
      { path: "outboundProxy.port", kind: "int", label: "col.outboundProxy.port" },
      { path: "requestUriParameter", kind: "text", label: "col.requestUriParameter" },
      { path: "allUsers", kind: "bool", label: "col.allUsers" },
      { path: "callerNumberAsDisplayName", kind: "bool", label: "col.callerNumberAsDisplayName" },
      { path: "outgoingGroupId", kind: "int", label: "col.outgoingGroupId" },
      { path: "noAnswerTime", kind: "int", label: "col.noAnswerTime", hint: "hint.zeroDefault" },
      {
        path: "maxOutgoingCalls",
        kind: "nullableInt",
        label: "col.maxOutgoingCalls",
        hint: "hint.blankUnlimited",
      },
      { path: "maxDuration", kind: "int", label: "col.maxDuration", hint: "hint.zeroUnlimited" },
      { path: "chainTo", kind: "text", label: "col.chainTo" },
    ],
  },
  {
    title: "group.other",
    fields: [
      { path: "authUserIncludesDomain", kind: "bool", label: "col.authUserIncludesDomain" },
      { path: "disable100rel", kind: "bool", label: "col.disable100rel" },
      { path: "doNotRegister", kind: "bool", label: "col.doNotRegister" },
      { path: "freshCallIdOnAuth", kind: "bool", label: "col.freshCallIdOnAuth" },
      { path: "registerExpires", kind: "int", label: "col.registerExpires" },
      { path: "relayMedia", kind: "bool", label: "col.relayMedia" },
      { path: "recordCalls", kind: "bool", label: "col.recordCalls" },
      {
        path: "maxConcurrentCalls",
        kind: "nullableInt",
        label: "col.maxConcurrentCalls",
        hint: "hint.blankUnlimited",
      },
    ],
  },
];

const LINE_DEFAULTS: Row = {
  type: 0,
  account: "",
  server: "",
  serverPort: 5060,
  transport: "udp",
  authorizationId: "",
  authUserIncludesDomain: false,
  transferTo: "destination",
  destinationNumber: "",
  dialPlan: "default",
  outboundProxy: { enabled: false, address: "", port: 5060 },
  requestUriParameter: "",
  allUsers: true,
  callerNumberAsDisplayName: false,
  outgoingGroupId: 0,
  noAnswerTime: 0,
  maxOutgoingCalls: null,
  maxDuration: 0,
  chainTo: "",
  disable100rel: false,
  doNotRegister: false,
  freshCallIdOnAuth: false,
  registerExpires: 3600,
  relayMedia: false,
  recordCalls: false,
  maxConcurrentCalls: null,
};

const TRUNK_GROUPS: FieldGroup[] = [
  {
    title: "group.trunk",
    fields: [
      { path: "trunkId", kind: "text", label: "col.trunkId" },
      { path: "description", kind: "text", label: "col.description" },
      { path: "address", kind: "text", label: "col.address" },
      { path: "port", kind: "int", label: "col.port" },
      { path: "transport", kind: "select", label: "col.transport", options: TRANSPORTS },
      {
        path: "maxIncomingCalls",
        kind: "nullableInt",
        label: "col.maxIncomingCalls",
        hint: "hint.blankUnlimited",
      },
      {
        path: "maxOutgoingCalls",
        kind: "nullableInt",
        label: "col.maxOutgoingCalls",
        hint: "hint.blankUnlimited",
      },
      { path: "outgoingGroupId", kind: "int", label: "col.outgoingGroupId" },
      { path: "relayMedia", kind: "bool", label: "col.relayMedia" },
      { path: "recordCalls", kind: "bool", label: "col.recordCalls" },
      { path: "failoverTrunk", kind: "text", label: "col.failoverTrunk" },
      { path: "dialPlan", kind: "text", label: "col.dialPlan" },
      { path: "sourcePorts", kind: "csvInt", label: "col.sourcePorts", hint: "hint.sourcePorts" },
      { path: "trustAddress", kind: "bool", label: "col.trustAddress", hint: "hint.trustAddress" },
    ],
  },
];

const TRUNK_DEFAULTS: Row = {
  trunkId: "",
  description: "",
  address: "",
  port: 5060,
  transport: "udp",
  maxIncomingCalls: null,
  maxOutgoingCalls: null,
  outgoingGroupId: 0,
  relayMedia: false,
  recordCalls: false,
  failoverTrunk: "",
  dialPlan: "default",
  sourcePorts: [],
  trustAddress: false,
};

export function LinesPage() {
  const { t } = useI18n();
  return (
    <section data-testid="page-lines">
      <PageHeader title={t("lines.title")} />
      <TableEditor
        path="/external-lines"
        keyOf={(row) => String(row.account)}
        columns={[
          textColumn("col.account", "account", t),
          { label: "col.type", cell: (row) => t(row.type === 1 ? "opt.lineType.1" : "opt.lineType.0") },
          textColumn("col.server", "server", t),
          textColumn("col.outgoingGroupId", "outgoingGroupId", t),
          textColumn("dashboard.activeCalls", "activeCalls", t),
          {
            label: "col.state",
            cell: (row) => <StateBadge state={row.state === "online" ? "online" : "offline"} />,
          },
        ]}
        groups={LINE_GROUPS}
        defaults={LINE_DEFAULTS}
        newLabel="lines.new"
        deleteWhat="lines.deleteWhat"
        featureName={t("lines.title")}
        testId="lines"
      />
    </section>
  );
}

export function TrunksPage() {
  const { t } = useI18n();
  return (
    <section data-testid="page-trunks">
      <PageHeader title={t("trunks.title")} />
      <TableEditor
        path="/sip-trunks"
        keyOf={(row) => String(row.trunkId)}
        columns={[
          textColumn("col.trunkId", "trunkId", t),
          textColumn("col.description", "description", t),
          textColumn("col.address", "address", t),
          textColumn("col.port", "port", t),
          textColumn("col.outgoingGroupId", "outgoingGroupId", t),
          {
            label: "col.activeInOut",
            cell: (row) =>
              `${Number(row.activeIncomingCalls ?? 0)} / ${Number(row.activeOutgoingCalls ?? 0)}`,
          },
        ]}
        groups={TRUNK_GROUPS}
        defaults={TRUNK_DEFAULTS}
        newLabel="trunks.new"
        deleteWhat="trunks.deleteWhat"
        featureName={t("trunks.title")}
        testId="trunks"
      />
    </section>
  );
}
