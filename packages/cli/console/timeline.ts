import type { AliasView } from './api.js';
import { keyIdOf, when } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 960;
const LEFT = 200;
const RIGHT = 24;
const ROW = 30;
const TOP = 24;

function node<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Readonly<Record<string, string | number>>, text?: string): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

function hhmm(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

/**
 * An alias's rotation drawn as an SVG timeline: its current target since the last rotation, each
 * retired target up to its rotation and then through its grace window (until when), and a marker
 * at now.
 */
export function aliasTimeline(alias: AliasView, nowMs: number, graceMs: number): SVGSVGElement {
  const retired = [...alias.retired].sort((a, b) => a.retiredAtMs - b.retiredAtMs);
  const latestRotation = retired.at(-1)?.retiredAtMs;
  const start = Math.min(nowMs - graceMs / 4, ...retired.map((old) => old.retiredAtMs - graceMs / 4));
  const end = Math.max(nowMs + graceMs / 4, ...retired.map((old) => old.graceUntilMs + graceMs / 8));
  const x = (ms: number): number => LEFT + ((ms - start) / (end - start)) * (WIDTH - LEFT - RIGHT);
  const rows = retired.length + (alias.keyArn === null ? 0 : 1);
  const height = TOP + rows * ROW + 26;
  const svg = node('svg', { class: 'timeline', viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-label': `rotation timeline of ${alias.alias}`, 'data-alias': alias.alias });
  svg.append(node('title', {}, `${alias.alias}: ${retired.length} retired target(s) within their grace window`));
  svg.append(node('line', { class: 'axis', x1: LEFT, x2: WIDTH - RIGHT, y1: height - 22, y2: height - 22 }));
  svg.append(node('text', { class: 'small', x: LEFT, y: height - 8 }, when(start)));
  svg.append(node('text', { class: 'small', x: WIDTH - RIGHT, y: height - 8, 'text-anchor': 'end' }, when(end)));
  let y = TOP;
  for (const old of retired) {
    svg.append(node('text', { x: 8, y: y + 14 }, `retired ${keyIdOf(old.keyArn).slice(0, 13)}…`));
    svg.append(node('rect', { class: 'bar-active', x: x(start), y, width: Math.max(0, x(old.retiredAtMs) - x(start)), height: ROW - 10, 'data-key': old.keyArn }));
    const graceEnded = old.graceUntilMs <= nowMs;
    svg.append(node('rect', { class: graceEnded ? 'bar-ended' : 'bar-grace', x: x(old.retiredAtMs), y, width: Math.max(1, x(old.graceUntilMs) - x(old.retiredAtMs)), height: ROW - 10, 'data-grace-until': old.graceUntilMs }));
    svg.append(node('text', { class: 'small', x: Math.min(x(old.graceUntilMs) + 4, WIDTH - RIGHT - 150), y: y - 2 }, `grace until ${hhmm(old.graceUntilMs)} UTC`));
    y += ROW;
  }
  if (alias.keyArn !== null) {
    svg.append(node('text', { x: 8, y: y + 14 }, `current ${keyIdOf(alias.keyArn).slice(0, 13)}…`));
    const from = latestRotation ?? start;
    svg.append(node('rect', { class: 'bar-current', x: x(from), y, width: x(end) - x(from), height: ROW - 10, 'data-key': alias.keyArn }));
  }
  svg.append(node('line', { class: 'now', x1: x(nowMs), x2: x(nowMs), y1: TOP - 12, y2: height - 22 }));
  svg.append(node('text', { class: 'now-label', x: x(nowMs) + 3, y: TOP - 4 }, `now ${hhmm(nowMs)} UTC`));
  return svg;
}
