/** English for emergency numbers and the password policy (issue 23); spread into en.ts. */
export const enEmergency = {
  "emergency.title": "Emergency numbers",
  "dp.emergency": "Emergency numbers",
  "emergency.help":
    "Any local user may dial these, with or without the out-group prefix, whatever its call right and the black list. A call leaves on the number's line first, then on the lines the out-group prefix uses. No local user, hunt group or conference room may have one of these numbers.",
  "emergency.new": "New emergency number",
  "emergency.deleteWhat": "emergency number {key}",
  "emergency.noLine": "Normal outbound routing",
  "col.emergencyNumber": "Number",
  "col.emergencyLine": "Line first",
  "col.emergencyDescription": "Description",
  "hint.emergencyNumber": "Digits, *, # and + only, as dialled (112, 911).",
  "hint.emergencyLine": "An external line's account; blank: the normal outbound routing only.",
  "users.passwordRule": "At least {n} characters, and not the extension number.",
  "users.passwordKeepRule":
    "Leave blank to keep the current password. A new one: at least {n} characters, not the extension number.",
  "dashboard.weakPasswords":
    "These users' passwords equal their extension numbers, so they are accepted only from private and loopback addresses: change them before exposing this server.",
  "error.notExtension": "Must not equal the extension number.",
  "error.emergencyNumber": "{n} is an emergency number (emergency numbers table).",
} as const;
