import type { ConsoleState, KeyView, TrustReason } from './api.js';
import { badge, el, mono, relative, show, table, when } from './dom.js';
import { aliasTimeline } from './timeline.js';

function reasonText(reason: TrustReason, nowMs: number): string {
  switch (reason.kind) {
    case 'configured':
      return 'configured (--key)';
    case 'alias-target':
      return `current target of ${reason.alias}`;
    case 'grace':
      return `retired from ${reason.alias}, grace until ${when(reason.graceUntilMs)} (${relative(reason.graceUntilMs, nowMs)})`;
    case 'offline':
      return 'offline key (--jwks / --pem)';
    case 'snapshot':
      return 'snapshot (--snapshot)';
    case 'jwks':
      return `listed by the JWKS at ${reason.url} (--jwks-url)`;
  }
}

function stateCell(key: KeyView): HTMLTableCellElement {
  if (key.keyState === null) return el('td', {}, el('span', { class: 'muted' }, key.reasons.some((reason) => reason.kind === 'jwks') ? 'remote JWKS' : key.reasons.some((reason) => reason.kind === 'offline' || reason.kind === 'snapshot') ? 'offline' : 'unknown'));
  return el('td', {}, badge(key.keyState, key.keyState === 'Enabled' ? 'state-enabled' : 'state-other'));
}

/** The trusted keys table, and the keys that stopped being trusted. */
export function showKeys(target: Element | null, state: ConsoleState): void {
  const now = state.nowMs;
  const rows = state.keys.map((key) => [
    mono(key.keyArn),
    el('td', {}, key.keySpec ?? '?', el('div', { class: 'muted' }, key.algorithms.join(', '))),
    stateCell(key),
    el('td', {}, ...key.reasons.map((reason) => el('div', {}, badge(reasonText(reason, now), 'reason')))),
    el('td', {}, key.lastConfirmedMs === null ? el('span', { class: 'muted' }, '—') : `${when(key.lastConfirmedMs)} (${relative(key.lastConfirmedMs, now)})`),
  ]);
  const untrusted = state.untrusted.map((key) => [mono(key.keyArn), el('td', {}, badge(key.reason, 'state-other')), el('td', {}, key.message), el('td', {}, when(key.atMs))]);
  const failures = state.failures.slice(-5).map((failure) => [mono(failure.key), el('td', {}, failure.operation), el('td', {}, failure.errorName), el('td', {}, when(failure.atMs))]);
  show(
    target,
    rows.length === 0 ? el('p', { class: 'empty' }, 'No key is trusted at the moment.') : table(['key ARN', 'spec', 'KMS state', 'trusted because', 'last confirmed by KMS'], rows, { id: 'keys-table' }),
    untrusted.length === 0 ? null : el('div', {}, el('h3', {}, 'Not trusted (refused or dropped while the console ran)'), table(['key', 'why', 'what KMS said', 'when'], untrusted, { id: 'untrusted-table' })),
    failures.length === 0 ? null : el('div', {}, el('h3', {}, 'Failed KMS calls (the cached keys keep serving)'), table(['key', 'call', 'error', 'when'], failures)),
  );
}

/** Each alias: its timeline, current target and retired targets with their grace windows. */
export function showAliases(target: Element | null, state: ConsoleState): void {
  if (state.aliases.length === 0) {
    show(target, el('p', { class: 'empty' }, 'No alias configured (--alias): nothing rotates here.'));
    return;
  }
  const legend = el(
    'div',
    { class: 'legend' },
    el('span', {}, el('span', { class: 'swatch current' }), 'current target'),
    el('span', {}, el('span', { class: 'swatch active' }), 'retired key, while it was current'),
    el('span', {}, el('span', { class: 'swatch grace' }), `grace window (${Math.round(state.retiredKeyGraceMs / 60_000)} min after the rotation)`),
  );
  const blocks = state.aliases.map((alias) =>
    el(
      'div',
      { class: 'alias', 'data-alias': alias.alias },
      el('h3', {}, alias.alias),
      aliasTimeline(alias, state.nowMs, state.retiredKeyGraceMs),
      table(
        ['target', 'key ARN', 'since / until'],
        [
          [el('td', {}, badge('current', 'state-enabled')), mono(alias.keyArn ?? '(alias deleted)'), el('td', {}, alias.retired.length === 0 ? '—' : `since ${when(Math.max(...alias.retired.map((old) => old.retiredAtMs)))}`)],
          ...alias.retired.map((old) => [
            el('td', {}, badge(old.graceUntilMs > state.nowMs ? 'retired, in grace' : 'grace ended', 'reason')),
            mono(old.keyArn),
            el('td', {}, `rotated ${when(old.retiredAtMs)}; grace until ${when(old.graceUntilMs)} (${relative(old.graceUntilMs, state.nowMs)})`),
          ]),
        ],
      ),
    ),
  );
  show(target, legend, ...blocks);
}

/** The fleet's revocation list and its mirror's freshness. */
export function showFleet(section: HTMLElement | null, target: Element | null, state: ConsoleState): void {
  if (section === null) return;
  const fleet = state.fleet;
  section.hidden = fleet === null;
  if (fleet === null) return;
  const freshness =
    fleet.syncedAtMs === null
      ? el('p', {}, badge('not loaded', 'state-other'), ` mirror of ${fleet.where}`)
      : el('p', { id: 'fleet-freshness' }, `Mirror of ${fleet.where}, last known complete ${when(fleet.syncedAtMs)} (${relative(fleet.syncedAtMs, state.nowMs)}); ${fleet.total} unexpired revocation${fleet.total === 1 ? '' : 's'}.`);
  const rows = fleet.entries.map((entry) => [mono(entry.iss), mono(entry.jti), el('td', {}, `${when(entry.exp * 1000)} (${relative(entry.exp * 1000, state.nowMs)})`)]);
  show(
    target,
    freshness,
    rows.length === 0 ? el('p', { class: 'empty' }, 'Nothing is revoked.') : table(['iss', 'jti', 'revoked until exp'], rows, { id: 'fleet-table' }),
    fleet.total > fleet.entries.length ? el('p', { class: 'muted' }, `… and ${fleet.total - fleet.entries.length} more (kms-jwt revoked list shows them all).`) : null,
  );
}
