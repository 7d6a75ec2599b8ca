/**
 * Access policies, as the authorization engine holds them: already narrowed to one user (their
 * subjects matched when the snapshot was built), so a check only matches actions and resources.
 */
import type { AppScope } from "./scopes.js";

/** Allow adds a grant; deny removes one, whatever else grants it. */
export const POLICY_EFFECTS = ["allow", "deny"] as const;

/** One of {@link POLICY_EFFECTS}. */
export type PolicyEffect = (typeof POLICY_EFFECTS)[number];

/** A policy compiled for one user's snapshot. */
export interface CompiledPolicy {
  /** The policy's public id. */
  readonly id: string;
  readonly name: string;
  readonly effect: PolicyEffect;
  /** The app scopes it covers; null means every app scope (`"*"`). */
  readonly actions: ReadonlySet<AppScope> | null;
  /** The app must carry every one of these labels (absent: no condition). */
  readonly labelsAll: readonly string[] | null;
  /** The app must carry at least one of these labels. */
  readonly labelsAny: readonly string[] | null;
  /** The app must carry none of these labels. */
  readonly labelsNone: readonly string[] | null;
  /** The app must be one of these (internal keys). */
  readonly appKeys: ReadonlySet<string> | null;
}

/** True when `policy` covers `action` on an app with this key and these labels. */
export function policyMatches(
  policy: CompiledPolicy,
  action: AppScope,
  appKey: string,
  labels: readonly string[],
): boolean {
  if (policy.actions !== null && !policy.actions.has(action)) return false;
  if (policy.appKeys !== null && !policy.appKeys.has(appKey)) return false;
  if (policy.labelsAll !== null && !policy.labelsAll.every((l) => labels.includes(l))) return false;
  if (policy.labelsAny !== null && !policy.labelsAny.some((l) => labels.includes(l))) return false;
  if (policy.labelsNone?.some((l) => labels.includes(l))) return false;
  return true;
}
