/** English for the dashboard's presence badges (issue 19); spread into en.ts. */
export const enPresence = {
  "presence.label": "Presence",
  "presence.dnd": "Do not disturb",
  "presence.closed": "Unavailable",
  "presence.forwarded": "Calls forwarded to {number}",
  // RPID activities (RFC 4480 3.2) that phones publish; others show their own name.
  "presence.activity.away": "Away",
  "presence.activity.busy": "Busy",
  "presence.activity.meeting": "In a meeting",
  "presence.activity.appointment": "Appointment",
  "presence.activity.presentation": "Presenting",
  "presence.activity.meal": "At a meal",
  "presence.activity.breakfast": "At breakfast",
  "presence.activity.dinner": "At dinner",
  "presence.activity.holiday": "On holiday",
  "presence.activity.vacation": "On vacation",
  "presence.activity.travel": "Travelling",
  "presence.activity.in-transit": "In transit",
  "presence.activity.steering": "Driving",
  "presence.activity.sleeping": "Sleeping",
  "presence.activity.working": "Working",
  "presence.activity.permanent-absence": "Absent",
} as const;
