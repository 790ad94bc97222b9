/**
 * Amounts travel as integers in the currency's minor unit (cents), as payment
 * providers send them. The number of decimals comes from the currency itself
 * (JPY has none, USD two), so formatting needs no table of our own.
 */
export function formatMoney(amountMinor: number, currency: string): string {
  const format = new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amountMinor / 10 ** digits);
}
