/**
 * Money as exact integers (issue 18, calling cards): amounts are stored and computed in
 * ten-thousandths of the currency unit ("units": 4.25 USD is 42 500 units), so a balance debited
 * a thousand times by 0.07 ends exactly where the rates say; the API, the CLI, CSV files and Lua
 * scripts see decimals with at most four places. Decimals are converted from their shortest
 * decimal spelling (what `String(x)` gives, i.e. what the person wrote), never from the binary
 * fraction: 1.00005 rounds to 1.0001 here, where `Math.round(1.00005 * 10000)` gives 1.0000.
 */

/** Units per currency unit. */
export const MONEY_SCALE = 10_000;
/** Decimal places an amount may have. */
export const MONEY_PLACES = 4;

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;

/**
 * The units of a decimal spelled as text ("4.25", "-0.5", "1e-3"), rounded half away from zero
 * to a unit; undefined when the text is no number. `exact` refuses (undefined) any amount that
 * needs rounding, so an administrator's 0.00005 is an error, not a silent 0.0001.
 */
export function decimalTextToUnits(text: string, exact = false): number | undefined {
  const m = DECIMAL.exec(text.trim());
  if (m === null) return undefined;
  const [, sign, whole = "", fraction = "", exponent = "0"] = m;
  if (whole === "" && fraction === "") return undefined;
  // Shift the decimal point by the exponent and by the four places of a unit.
  const digits = `${whole}${fraction}`;
  const point = whole.length + Number(exponent) + MONEY_PLACES;
  if (!Number.isSafeInteger(point) || point > 20) return undefined;
  const padded = point < 0 ? "" : digits.padEnd(point, "0");
  const integer = point <= 0 ? "0" : padded.slice(0, point);
  const rest = point <= 0 ? "0".repeat(-point) + digits : padded.slice(point);
  if (exact && /[1-9]/.test(rest)) return undefined;
  let units = Number(integer);
  if (rest !== "" && rest.charCodeAt(0) >= 0x35) units += 1; // first dropped digit >= 5
  if (!Number.isSafeInteger(units)) return undefined;
  return sign === "-" && units !== 0 ? -units : units;
}

/** The units of a decimal number, rounded half away from zero; undefined when not finite. */
export function toUnits(amount: number, exact = false): number | undefined {
  if (typeof amount !== "number" || !Number.isFinite(amount)) return undefined;
  return decimalTextToUnits(String(amount), exact);
}

/** The decimal a number of units stands for (42 500 → 4.25). */
export function fromUnits(units: number): number {
  return Number(formatUnits(units));
}

/** Units as decimal text with no trailing zeros ("4.25", "0.0001", "12"). */
export function formatUnits(units: number): string {
  const negative = units < 0;
  const abs = Math.abs(Math.trunc(units));
  const whole = Math.floor(abs / MONEY_SCALE);
  const fraction = String(abs % MONEY_SCALE)
    .padStart(MONEY_PLACES, "0")
    .replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction === "" ? "" : `.${fraction}`}`;
}
