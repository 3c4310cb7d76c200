/** English for the dashboard's parked calls panel (call park, issue 16); spread into en.ts. */
export const enParked = {
  "parked.title": "Parked calls",
  "parked.none": "No parked calls.",
  "parked.slot": "Slot",
  "parked.party": "Parked party",
  "parked.parker": "Parked by",
  "parked.time": "Time parked",
  "parked.status": "Status",
  "parked.waiting": "On hold",
  "parked.ringingBack": "Ringing back",
  "parked.ringBacks": "ring-backs: {n}",
} as const;
