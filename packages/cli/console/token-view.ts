import type { VerifyAnswer } from './api.js';
import type { DecodedToken } from './decode.js';
import { badge, el, mono, show, table, when } from './dom.js';

/** Where the token stands: decoded only, or verified or refused by the console. */
export type TokenStatus = 'unverified' | 'verified' | 'refused';

const LABELS: Readonly<Record<TokenStatus, string>> = { unverified: 'UNVERIFIED', verified: 'VERIFIED', refused: 'REFUSED' };
const TIME_CLAIMS = new Set(['exp', 'nbf', 'iat']);

function valueText(name: string, value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return TIME_CLAIMS.has(name) && typeof value === 'number' && Number.isFinite(value) && Math.abs(value) < 8.64e12 ? `${json}  (${when(value * 1000)})` : json;
}

function fields(title: string, object: Record<string, unknown>, status: TokenStatus): HTMLElement {
  const rows = Object.entries(object).map(([name, value]) => [mono(name), mono(valueText(name, value)), badge(LABELS[status], status)]);
  return el('div', {}, el('h3', {}, title), table(['claim', 'value', ''], rows, { class: 'fields', 'data-part': title.toLowerCase() }));
}

/** Shows the decoded header and payload, each field marked with the token's status. */
export function showDecoded(target: Element | null, decoded: DecodedToken, status: TokenStatus): void {
  show(target, el('div', { class: 'decoded-grid' }, fields('Header', decoded.header, status), fields('Payload', decoded.payload, status)));
}

/** The verdict box: decoded only, verified with its key ARN, or refused with its code. */
export function showVerdict(target: Element | null, verdict: VerifyAnswer | { readonly pending: string } | { readonly problem: string }): void {
  if ('pending' in verdict) {
    show(target, el('div', { class: 'verdict unverified', 'data-verdict': 'unverified' }, el('strong', {}, 'UNVERIFIED'), el('span', { class: 'detail' }, verdict.pending)));
    return;
  }
  if ('problem' in verdict) {
    show(target, el('div', { class: 'verdict refused', 'data-verdict': 'undecodable' }, el('strong', {}, 'NOT A JWT'), el('span', { class: 'detail' }, verdict.problem)));
    return;
  }
  if (verdict.valid) {
    show(
      target,
      el(
        'div',
        { class: 'verdict verified', 'data-verdict': 'verified' },
        el('strong', {}, 'VERIFIED: signature and claims hold'),
        el('span', { class: 'detail' }, 'verified with key ', el('span', { class: 'mono', 'data-field': 'key' }, verdict.key)),
      ),
    );
    return;
  }
  show(
    target,
    el(
      'div',
      { class: 'verdict refused', 'data-verdict': 'refused' },
      el('strong', {}, 'REFUSED: ', el('span', { 'data-field': 'code' }, verdict.error.code)),
      el('span', { class: 'detail' }, verdict.error.message),
      verdict.key === undefined ? null : el('div', { class: 'detail' }, 'signed by trusted key ', el('span', { class: 'mono' }, verdict.key)),
    ),
  );
}
