/** The dial plan: pure functions over its tables (FEATURES.md section 5). */
export { effectiveDialPlan, refineNumber, routeNumber } from "./dial-plan.js";
export { longestPrefixMatch, PrefixIndex, prefixIndex } from "./prefix.js";
export { applyTransition } from "./transition.js";
export * from "./types.js";
