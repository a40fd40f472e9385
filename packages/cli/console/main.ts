// The console page: decode a pasted token here, verify it through the console, show the trust state.
// The token lives only in the textarea and in memory: no storage, no URL, no log.

import { fetchState, verifyToken, type ConsoleState } from './api.js';
import { decodeToken, type DecodedToken } from './decode.js';
import { el, show } from './dom.js';
import { showDecoded, showVerdict } from './token-view.js';
import { showAliases, showFleet, showKeys } from './trust-view.js';

const REFRESH_MS = 10_000;

const input = document.querySelector<HTMLTextAreaElement>('#token');
const verdictBox = document.querySelector('#verdict');
const decodedBox = document.querySelector('#decoded');
let decoded: DecodedToken | undefined;
/** Bumped on every edit, so that a verdict for an earlier text is not shown for the new one. */
let generation = 0;

function tokenText(): string {
  return (input?.value ?? '').trim().replace(/^Bearer\s+/i, '');
}

function onEdit(): void {
  generation += 1;
  const text = tokenText();
  decoded = undefined;
  if (text === '') {
    show(verdictBox);
    show(decodedBox);
    return;
  }
  try {
    decoded = decodeToken(text);
  } catch (error) {
    showVerdict(verdictBox, { problem: error instanceof Error ? error.message : 'it cannot be decoded' });
    show(decodedBox);
    return;
  }
  showVerdict(verdictBox, { pending: 'decoded in this page; nothing below is checked until the console verifies it (press Verify)' });
  showDecoded(decodedBox, decoded, 'unverified');
}

async function onVerify(): Promise<void> {
  onEdit();
  if (decoded === undefined) return;
  const mine = generation;
  const shown = decoded;
  try {
    const answer = await verifyToken(tokenText());
    if (mine !== generation) return;
    showVerdict(verdictBox, answer);
    showDecoded(decodedBox, shown, answer.valid ? 'verified' : 'refused');
  } catch (error) {
    if (mine === generation) showVerdict(verdictBox, { pending: `could not ask the console: ${error instanceof Error ? error.message : 'no answer'}` });
  }
}

function render(state: ConsoleState): void {
  const claims = [state.claims.issuer === null ? 'any iss' : `iss ${state.claims.issuer.join(' or ')}`, state.claims.audience === null ? 'any aud' : `aud ${state.claims.audience.join(' or ')}`];
  show(document.querySelector('#where'), `Trusting the keys of ${state.where}; accepting ${claims.join(', ')}. Updated ${new Date(state.nowMs).toISOString().slice(11, 19)} UTC.`);
  showKeys(document.querySelector('#keys'), state);
  showAliases(document.querySelector('#aliases'), state);
  showFleet(document.querySelector<HTMLElement>('#fleet-section'), document.querySelector('#fleet'), state);
}

/** Bumped on every refresh, so that a slow answer never replaces a newer one. */
let refreshes = 0;

async function refresh(): Promise<void> {
  const mine = ++refreshes;
  try {
    const state = await fetchState();
    if (mine === refreshes) render(state);
  } catch (error) {
    if (mine === refreshes) show(document.querySelector('#keys'), el('p', { class: 'empty' }, `could not load the trust state: ${error instanceof Error ? error.message : 'no answer'}`));
  }
}

show(document.querySelector('#origin'), location.host);
input?.addEventListener('input', onEdit);
document.querySelector('#verify')?.addEventListener('click', () => void onVerify());
document.querySelector('#clear')?.addEventListener('click', () => {
  if (input !== null) input.value = '';
  onEdit();
});
document.querySelector('#refresh')?.addEventListener('click', () => void refresh());
void refresh();
setInterval(() => void refresh(), REFRESH_MS);
