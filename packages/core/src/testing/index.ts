/**
 * `@orgkit/core/testing`: the behavioural conformance suite every storage adapter runs, and the
 * helpers it is built from. Needs vitest, fast-check and xml-crypto (for the test IdP) in the caller's dev dependencies.
 *
 * @example
 * ```ts
 * // sqlite.conformance.test.ts in an adapter package
 * import { runConformanceSuite } from "@orgkit/core/testing";
 * runConformanceSuite(mySqliteHarness);
 * ```
 *
 * @packageDocumentation
 */
import { describe } from "vitest";
import { appsHttpConformance } from "../http/apps.http.conformance.js";
import { billingHttpConformance } from "../http/billing.http.conformance.js";
import { coreHttpConformance } from "../http/core.http.conformance.js";
import { endpointsHttpConformance } from "../http/endpoints.conformance.js";
import { fuzzHttpConformance } from "../http/fuzz.conformance.js";
import { invitationsHttpConformance } from "../http/invitations.http.conformance.js";
import { securityHttpConformance } from "../http/security.http.conformance.js";
import { teamsHttpConformance } from "../http/teams.http.conformance.js";
import { accessConformance } from "../services/access.conformance.js";
import { appAccessConformance } from "../services/app-access.conformance.js";
import { appsConformance } from "../services/apps.conformance.js";
import { auditConformance } from "../services/audit.conformance.js";
import { billingConformance } from "../services/billing.conformance.js";
import { budgetsConformance } from "../services/budgets.conformance.js";
import { contentConformance } from "../services/content.conformance.js";
import { invariantsConformance } from "../services/invariants.conformance.js";
import { invitationsConformance } from "../services/invitations.conformance.js";
import { membersConformance } from "../services/members.conformance.js";
import { organizationsConformance } from "../services/organizations.conformance.js";
import { securityConformance } from "../services/security.conformance.js";
import { sessionsConformance } from "../services/sessions.conformance.js";
import { ssoConformance } from "../services/sso.conformance.js";
import { teamsConformance } from "../services/teams.conformance.js";
import { tokensConformance } from "../services/tokens.conformance.js";
import { usageConformance } from "../services/usage.conformance.js";
import { usersConformance } from "../services/users.conformance.js";
import type { ConformanceHarness } from "./harness.js";

export {
  type Credentials,
  contractOf,
  createHttpFixture,
  type EndpointExample,
  type ExampleRequest,
  type ExampleSet,
  FIXTURE_BASE_PATH,
  FIXTURE_ORIGIN,
  FIXTURE_PASSWORD,
  type HttpFixture,
  type HttpResult,
  type HttpSide,
  operationIds,
  type SendOptions,
} from "../http/http-fixture.js";
export {
  type ConformanceHarness,
  createRecordingMailer,
  createTestClock,
  createWorld,
  expectFailsCleanly,
  expectOrgKitError,
  type RecordingMailer,
  TEST_SCRYPT_PARAMS,
  type TestClock,
  type World,
} from "./harness.js";
export {
  createTestIdentityProvider,
  createTestSigningKeys,
  encodeSamlResponse,
  samlId,
  signSamlElement,
  type TestIdentityProvider,
  type TestSamlResponseOptions,
  type TestSigningKeys,
  verifySamlElement,
  xmlEscape,
} from "./saml-idp.js";

/** Options of {@link runConformanceSuite}. */
export interface ConformanceOptions {
  /** fast-check runs of the random-sequence invariants test. Default 25. */
  readonly propertyRuns?: number;
  /** fast-check runs of the random-worlds app visibility property. Default 6. */
  readonly appPropertyRuns?: number;
  /** fast-check runs of the rollups-equal-a-recount usage property. Default 10. */
  readonly usagePropertyRuns?: number;
}

/**
 * Registers the whole conformance suite for one engine: users, organizations, members,
 * invitations, access, and the invariants under random call sequences.
 */
export function runConformanceSuite(harness: ConformanceHarness, options: ConformanceOptions = {}): void {
  describe(`orgkit conformance (${harness.name})`, () => {
    usersConformance(harness);
    organizationsConformance(harness);
    membersConformance(harness);
    invitationsConformance(harness);
    accessConformance(harness);
    sessionsConformance(harness);
    tokensConformance(harness);
    securityConformance(harness);
    auditConformance(harness);
    ssoConformance(harness);
    teamsConformance(harness);
    appsConformance(harness);
    contentConformance(harness);
    appAccessConformance(harness, options.appPropertyRuns);
    usageConformance(harness, options.usagePropertyRuns);
    billingConformance(harness);
    budgetsConformance(harness);
    invariantsConformance(harness, options.propertyRuns);
  });
}

/**
 * Registers the HTTP API suite for one engine: every endpoint's happy path, 401, 403 and 404
 * (from one example per endpoint), each area's behaviour over HTTP, and the fuzz test.
 */
export function runHttpConformanceSuite(
  harness: ConformanceHarness,
  options: { fuzzRuns?: number } = {},
): void {
  describe(`orgkit HTTP API (${harness.name})`, () => {
    endpointsHttpConformance(harness);
    fuzzHttpConformance(harness, options.fuzzRuns);
    coreHttpConformance(harness);
    invitationsHttpConformance(harness);
    securityHttpConformance(harness);
    teamsHttpConformance(harness);
    appsHttpConformance(harness);
    billingHttpConformance(harness);
  });
}
