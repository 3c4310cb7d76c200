/** English for a user's devices (its registered contacts) in the users list (issue 23); spread into en.ts. */
export const enDevices = {
  "devices.title": "Devices",
  "devices.none": "none registered",
  "devices.address": "Address",
  "devices.userAgent": "User agent",
  "devices.unknownAgent": "unknown phone",
} as const;
