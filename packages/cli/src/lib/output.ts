/** JSON for people: two-space indentation, one trailing newline. */
export function prettyJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** `2026-06-01T12:00:00Z`: an ISO date to the second. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `2026-05-01T12:00:00Z (in 14m 59s)` or `(3m ago)`, for NumericDate claims. */
export function describeTime(seconds: unknown, nowMs: number): string | undefined {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return undefined;
  const ms = seconds * 1000;
  if (Math.abs(ms) > 8.64e15) return undefined;
  const iso = new Date(ms).toISOString().replace('.000Z', 'Z');
  const delta = Math.round((ms - nowMs) / 1000);
  return `${iso} (${delta >= 0 ? `in ${span(delta)}` : `${span(-delta)} ago`})`;
}

function span(totalSeconds: number): string {
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const parts = [days ? `${days}d` : '', hours ? `${hours}h` : '', minutes ? `${minutes}m` : '', seconds || totalSeconds === 0 ? `${seconds}s` : ''];
  return parts.filter(Boolean).slice(0, 2).join(' ');
}
