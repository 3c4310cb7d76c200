/** Paths the tenant hooks recognise (issue 21), kept beside the prefix they live under. */
export const API_PREFIX_PATHS = {
  users: "/api/v1/users",
  lines: "/api/v1/external-lines",
  trunks: "/api/v1/sip-trunks",
} as const;
