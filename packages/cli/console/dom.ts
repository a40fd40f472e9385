// Building elements with text only: nothing from a token or the server is ever parsed as HTML.

type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Readonly<Record<string, string>> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

export function badge(text: string, kind: string): HTMLSpanElement {
  return el('span', { class: `badge ${kind}` }, text);
}

export function table(headings: readonly string[], rows: readonly (readonly Child[])[], attributes: Readonly<Record<string, string>> = {}): HTMLTableElement {
  return el(
    'table',
    attributes,
    el('thead', {}, el('tr', {}, ...headings.map((heading) => el('th', {}, heading)))),
    el('tbody', {}, ...rows.map((row) => el('tr', {}, ...row.map((cell) => (cell instanceof HTMLTableCellElement ? cell : el('td', {}, cell)))))),
  );
}

export function mono(text: string): HTMLTableCellElement {
  return el('td', { class: 'mono' }, text);
}

/** Replaces an element's children. */
export function show(target: Element | null, ...children: Child[]): void {
  if (target === null) return;
  target.replaceChildren(...children.filter((child): child is Node | string => child !== null && child !== undefined && child !== false));
}

/** `2026-12-02 03:14:07 UTC` */
export function when(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

/** `in 42m` / `3m ago` / `just now` */
export function relative(ms: number, nowMs: number): string {
  const seconds = Math.round((ms - nowMs) / 1000);
  if (seconds === 0) return 'just now';
  const size = Math.abs(seconds);
  const text = size < 90 ? `${size}s` : size < 5400 ? `${Math.round(size / 60)}m` : size < 172_800 ? `${Math.round(size / 3600)}h` : `${Math.round(size / 86_400)}d`;
  return seconds > 0 ? `in ${text}` : `${text} ago`;
}

/** The key id of a key ARN (the part after `key/`), for labels. */
export function keyIdOf(keyArn: string): string {
  const at = keyArn.lastIndexOf('key/');
  return at === -1 ? keyArn : keyArn.slice(at + 4);
}
