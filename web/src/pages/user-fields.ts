/** The local user form, grouped as the PBX manuals group the fields (FEATURES.md section 2). */

import type { FieldSpec } from "../components/fields";
import type { FieldGroup } from "../components/form";

const FORWARDS = ["unconditional", "unreachable", "busy", "noAnswer"] as const;

/** `minPasswordLength`: the password policy's minimum (GET /password-policy), shown as the rule. */
export function userGroups(creating: boolean, minPasswordLength = 8): FieldGroup[] {
  const forwarding: FieldSpec[] = FORWARDS.flatMap((kind): FieldSpec[] => [
    { path: `forwarding.${kind}.enabled`, kind: "bool", label: `field.forwarding.${kind}` },
    { path: `forwarding.${kind}.number`, kind: "text", label: "field.forwarding.number" },
  ]);
  return [
    {
      title: "group.basic",
      fields: [
        { path: "name", kind: "text", label: "field.name" },
        {
          path: "password",
          kind: "password",
          label: "field.password",
          hint: creating ? "users.passwordRule" : "users.passwordKeepRule",
          hintParams: { n: minPasswordLength },
        },
      ],
    },
    {
      title: "group.basicCall",
      fields: [
        { path: "displayName", kind: "text", label: "field.displayName" },
        { path: "noAnswerTime", kind: "int", label: "field.noAnswerTime", hint: "hint.zeroDefault" },
        {
          path: "specificExternalLine",
          kind: "text",
          label: "field.specificExternalLine",
          hint: "hint.blankAny",
        },
        { path: "maxDuration", kind: "int", label: "field.maxDuration", hint: "hint.zeroUnlimited" },
        { path: "maxConcurrentCalls", kind: "int", label: "field.maxConcurrentCalls" },
        { path: "maxConcurrentOutgoingCalls", kind: "int", label: "field.maxConcurrentOutgoingCalls" },
        { path: "callRight", kind: "int", label: "field.callRight" },
      ],
    },
    {
      title: "group.forwarding",
      layout: "pairs",
      fields: [
        ...forwarding,
        {
          path: "voicemailOnUnreachableOrNoAnswer",
          kind: "bool",
          label: "field.voicemailOnUnreachableOrNoAnswer",
        },
        { path: "email", kind: "text", label: "field.email", autoComplete: "email" },
        { path: "voicemailOnBusy", kind: "bool", label: "field.voicemailOnBusy" },
        { path: "voicemailPin", kind: "text", label: "field.voicemailPin", hint: "hint.voicemailPin" },
      ],
    },
    {
      title: "group.followMe",
      fields: [
        {
          path: "followMe.strategy",
          kind: "select",
          numeric: true,
          label: "field.followMe.strategy",
          options: [
            { value: "0", label: "field.followMe.strategy.0" },
            { value: "1", label: "field.followMe.strategy.1" },
            { value: "2", label: "field.followMe.strategy.2" },
          ],
        },
        { path: "followMe.interval", kind: "int", label: "field.followMe.interval" },
        ...["A", "B", "C"].map(
          (n, i): FieldSpec => ({
            path: `followMe.destinations[${i}]`,
            kind: "text",
            label: "field.followMe.destinations",
            labelParams: { n },
          }),
        ),
      ],
    },
    {
      title: "group.supplementary",
      fields: [
        { path: "autoAttendant", kind: "bool", label: "field.autoAttendant" },
        { path: "suppressRingGroupOnDirectCall", kind: "bool", label: "field.suppressRingGroupOnDirectCall" },
        { path: "ringingGroupId", kind: "int", label: "field.ringingGroupId", hint: "hint.zeroNone" },
        { path: "pickupGroupId", kind: "int", label: "field.pickupGroupId", hint: "hint.zeroNone" },
        { path: "callPark", kind: "bool", label: "field.callPark" },
        { path: "callRetrieve", kind: "bool", label: "field.callRetrieve" },
        { path: "callWaiting", kind: "bool", label: "field.callWaiting" },
        { path: "doNotDisturb", kind: "bool", label: "field.doNotDisturb" },
        { path: "multiDevice", kind: "bool", label: "field.multiDevice" },
        { path: "maxDevices", kind: "int", label: "field.maxDevices", when: (v) => v.multiDevice === true },
        { path: "operatorBreakIn", kind: "bool", label: "field.operatorBreakIn" },
        { path: "operatorOverstep", kind: "bool", label: "field.operatorOverstep" },
      ],
    },
    {
      title: "group.advanced",
      fields: [
        { path: "subscribeAllPresence", kind: "bool", label: "field.subscribeAllPresence" },
        { path: "presenceGroup", kind: "int", label: "field.presenceGroup", hint: "hint.zeroNone" },
      ],
    },
    {
      title: "group.media",
      fields: [
        { path: "musicOnHold", kind: "bool", label: "field.musicOnHold" },
        { path: "relayMedia", kind: "bool", label: "field.relayMedia" },
        {
          path: "recording",
          kind: "select",
          label: "field.recording",
          options: [
            { value: "never", label: "field.recording.never" },
            { value: "always", label: "field.recording.always" },
            { value: "on-demand", label: "field.recording.on-demand" },
          ],
        },
      ],
    },
    {
      title: "group.ipAuth",
      fields: [
        { path: "ipAuthorization", kind: "lines", label: "field.ipAuthorization" },
        { path: "staticContact", kind: "text", label: "field.staticContact" },
      ],
    },
  ];
}
