// Token amounts: the API sends smallest units as decimal strings and `decimals` (MINT_DECIMALS);
// they are shown in whole tokens by moving the decimal point in the string, never through
// floating point (2^53 is far below the 2^64 an amount may reach).

export function formatUnits(units, decimals) {
  const text = String(units);
  if (!/^[0-9]{1,20}$/.test(text) || !Number.isInteger(decimals) || decimals < 0 || decimals > 18) return text;
  const padded = text.padStart(decimals + 1, "0");
  const whole = padded.slice(0, padded.length - decimals).replace(/^0+(?=[0-9])/, "");
  const fraction = padded.slice(padded.length - decimals).replace(/0+$/, "");
  const grouped = whole.replace(/\B(?=([0-9]{3})+(?![0-9]))/g, ",");
  return fraction ? `${grouped}.${fraction}` : grouped;
}
