const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Parses a duration flag into whole seconds: `900`, `90s`, `15m`, `1h`, `7d`, with an optional
 * leading `-` when `allowNegative`. Returns undefined when the text is not one.
 */
export function parseDurationSeconds(text: string, allowNegative = false): number | undefined {
  const match = /^(-?)(\d{1,9})([smhd]?)$/.exec(text.trim());
  if (!match) return undefined;
  const [, sign, digits, unit] = match;
  if (sign === '-' && !allowNegative) return undefined;
  const seconds = Number(digits) * (UNITS[unit || 's'] ?? 1);
  return sign === '-' ? -seconds : seconds;
}
