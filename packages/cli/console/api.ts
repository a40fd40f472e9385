// The console's two API calls, and the shapes they answer (those of src/commands/console/).

export type TrustReason =
  | { readonly kind: 'configured' }
  | { readonly kind: 'alias-target'; readonly alias: string }
  | { readonly kind: 'grace'; readonly alias: string; readonly graceUntilMs: number }
  | { readonly kind: 'offline' }
  | { readonly kind: 'snapshot' }
  | { readonly kind: 'jwks'; readonly url: string };

export interface KeyView {
  readonly keyArn: string;
  readonly keySpec: string | null;
  readonly algorithms: readonly string[];
  readonly keyState: string | null;
  readonly reasons: readonly TrustReason[];
  readonly lastConfirmedMs: number | null;
}

export interface RetiredTarget {
  readonly keyArn: string;
  readonly retiredAtMs: number;
  readonly graceUntilMs: number;
}

export interface AliasView {
  readonly alias: string;
  readonly keyArn: string | null;
  readonly retired: readonly RetiredTarget[];
}

export interface ConsoleState {
  readonly nowMs: number;
  readonly where: string;
  readonly retiredKeyGraceMs: number;
  readonly claims: { readonly issuer: readonly string[] | null; readonly audience: readonly string[] | null };
  readonly keys: readonly KeyView[];
  readonly aliases: readonly AliasView[];
  readonly untrusted: readonly { readonly keyArn: string; readonly reason: string; readonly message: string; readonly atMs: number }[];
  readonly rotations: readonly { readonly alias: string; readonly previousKeyArn: string; readonly keyArn: string | null; readonly graceUntilMs: number; readonly atMs: number }[];
  readonly failures: readonly { readonly key: string; readonly operation: string; readonly errorName: string; readonly atMs: number }[];
  readonly fleet: {
    readonly where: string;
    readonly entries: readonly { readonly iss: string; readonly jti: string; readonly exp: number }[];
    readonly total: number;
    readonly syncedAtMs: number | null;
  } | null;
}

export interface FailureReport {
  readonly code: string;
  readonly family: string;
  readonly message: string;
  readonly claim?: string;
}

export type VerifyAnswer =
  | { readonly valid: true; readonly key: string; readonly header: Record<string, unknown>; readonly payload: Record<string, unknown> }
  | { readonly valid: false; readonly error: FailureReport; readonly key?: string };

/** The per-run secret the server put in the page; every API call carries it. */
function session(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="kms-jwt-console-session"]')?.content ?? '';
}

async function answer<T>(response: Response): Promise<T> {
  const body = (await response.json()) as unknown;
  if (!response.ok) throw new Error(`the console answered ${response.status}: ${String((body as { error?: unknown }).error ?? '')}`);
  return body as T;
}

export async function fetchState(): Promise<ConsoleState> {
  return answer<ConsoleState>(await fetch('/api/state', { headers: { 'x-kms-jwt-console-session': session() }, cache: 'no-store', credentials: 'omit' }));
}

/** Sends the token in the request body (never in the URL) and returns the verdict. */
export async function verifyToken(token: string): Promise<VerifyAnswer> {
  const response = await fetch('/api/verify', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-kms-jwt-console-session': session() },
    body: JSON.stringify({ token }),
    cache: 'no-store',
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
  });
  return answer<VerifyAnswer>(response);
}
