/**
 * `@orgkit/core`: organizations, members, invitations, roles and authorization as services over
 * a storage port. No database driver, no React, no web framework.
 *
 * @packageDocumentation
 */

export {
  APP_READ_SCOPES,
  APP_ROLE_DEFINITIONS,
  APP_ROLES,
  APP_VISIBILITIES,
  type AppRole,
  type AppRoleDefinition,
  type AppVisibility,
  isAppRole,
  ORG_VISIBLE_APP_SCOPES,
  PUBLIC_APP_SCOPES,
} from "./authz/app-roles.js";
export {
  type AuthorizationSubject,
  appPermissionMatrix,
  authorize,
  type Decision,
  type DecisionReason,
  type PermissionMatrix,
  type PermissionSnapshot,
  permissionMatrix,
  type Resource,
  snapshotForRole,
  type TeamAppGrant,
  teamAppGrants,
} from "./authz/authorize.js";
export { type CompiledPolicy, POLICY_EFFECTS, type PolicyEffect, policyMatches } from "./authz/policies.js";
export {
  APP_SCOPES,
  type AppScope,
  isOrganizationRole,
  isScope,
  ORGANIZATION_ROLES,
  ORGANIZATION_SCOPES,
  type OrganizationRole,
  type OrganizationScope,
  ROLE_DEFINITIONS,
  type RoleDefinition,
  SCOPES,
  type Scope,
} from "./authz/scopes.js";
export {
  ERROR_CATEGORIES,
  ERROR_CODES,
  type ErrorCategory,
  type ErrorCode,
  isOrgKitError,
  OrgKitError,
  type OrgKitErrorOptions,
} from "./errors.js";
export {
  type ApiContract,
  type ContractGroup,
  type EndpointAuth,
  type EndpointContract,
  endpoint,
  type HttpMethod,
  type Jsonify,
  jsonSchemaOf,
  pageQuery,
  pathParam,
  queryBoolean,
  queryDate,
  queryInt,
  wireSchema,
} from "./http/contract.js";
export { apiContract, type OrgKitApiContract } from "./http/contracts/index.js";
export {
  createHttpHandler,
  type HttpHandler,
  type HttpHandlerOptions,
  type RequestInfo,
} from "./http/handler.js";
export {
  type NextRouteHandlers,
  type NodeHandler,
  type NodeHandlerOptions,
  toNextHandlers,
  toNodeHandler,
} from "./http/node.js";
export { buildOpenApiDocument, type OpenApiInfo, type OpenApiOptions } from "./http/openapi.js";
export type {
  DeepReadonly,
  HandlerContext,
  HandlerResult,
  HttpCaller,
  Implementation,
  Implementations,
  PageRequest,
} from "./http/server.js";
export {
  DEFAULT_SCRYPT_PARAMS,
  hashPassword,
  needsRehash,
  type ScryptParams,
  verifyPassword,
} from "./internal/password.js";
export { isWellFormedPersonalAccessToken, PAT_PREFIX } from "./internal/tokens.js";
export type { BudgetAlertMailData } from "./mail.js";
export {
  type DeliveryStatus,
  type InvitationMailData,
  MAIL_TEMPLATES,
  type Mailer,
  type MailTemplate,
  type OutgoingMessage,
} from "./mail.js";
export { type Actor, createOrgKit, type OrgKit, type OrgKitOptions, type OrgKitServices } from "./orgkit.js";
export * from "./schemas/app.js";
// Identity and security: sessions, tokens, password policy, rate limits, the audit log.
export {
  type AuditEvent,
  AuditEventSchema,
  type AuditQueryInput,
  AuditQuerySchema,
  type AuditVerification,
  AuditVerificationSchema,
} from "./schemas/audit.js";
export * from "./schemas/billing.js";
export {
  AccountIdSchema,
  DEFAULT_PAGE_SIZE,
  EmailSchema,
  MAX_PAGE_SIZE,
  type Page,
  PageQuerySchema,
  pageSchema,
  RESERVED_ACCOUNT_IDS,
} from "./schemas/common.js";
export * from "./schemas/content.js";
export {
  type CreateIdentityProviderInput,
  CreateIdentityProviderInputSchema,
  EmailDomainSchema,
  type IdentityProvider,
  IdentityProviderCertificateSchema,
  IdentityProviderIdSchema,
  IdentityProviderSchema,
  ServiceProviderEndpointsSchema,
  type SsoLoginInput,
  SsoLoginInputSchema,
  type UpdateIdentityProviderInput,
  UpdateIdentityProviderInputSchema,
} from "./schemas/identity-provider.js";
export {
  type CreateInvitationInput,
  CreateInvitationInputSchema,
  type Invitation,
  type InvitationPreview,
  InvitationPreviewSchema,
  InvitationSchema,
  InvitationTokenSchema,
} from "./schemas/invitation.js";
export {
  type ListMembersQuery,
  ListMembersQuerySchema,
  type Member,
  MemberSchema,
  OrganizationRoleSchema,
} from "./schemas/member.js";
export {
  type CreateOrganizationInput,
  CreateOrganizationInputSchema,
  type MyOrganization,
  MyOrganizationSchema,
  type Organization,
  OrganizationSchema,
  organizationNameKey,
  type UpdateOrganizationInput,
  UpdateOrganizationInputSchema,
} from "./schemas/organization.js";
export * from "./schemas/policy.js";
export {
  type AccessToken,
  AccessTokenSchema,
  type CreateTokenInput,
  CreateTokenInputSchema,
  type Session,
  SessionSchema,
  type SignInInput,
  SignInInputSchema,
  type TokenPolicy,
  TokenPolicySchema,
} from "./schemas/session.js";
export * from "./schemas/team.js";
export {
  type ChangePasswordInput,
  ChangePasswordInputSchema,
  MAX_PASSWORD_LENGTH,
  PasswordSchema,
  type PublicUser,
  PublicUserSchema,
  type RegisterUserInput,
  RegisterUserInputSchema,
  type User,
  UserSchema,
} from "./schemas/user.js";
export {
  CONFUSING_CHARACTERS,
  checkPassword,
  checkPasswordWithHistory,
  DEFAULT_PASSWORD_POLICY,
  isPasswordExpired,
  PASSWORD_VIOLATION_CODES,
  type PasswordContext,
  type PasswordLockout,
  PasswordLockoutSchema,
  type PasswordPolicy,
  PasswordPolicySchema,
  type PasswordStrength,
  type PasswordViolation,
  type PasswordViolationCode,
  passwordStrength,
  strictestPolicy,
  WEAK_PASSWORD_VIOLATIONS,
} from "./security/password-policy.js";
export type { AccessService } from "./services/access.js";
export type { AppsService } from "./services/apps.js";
export type { AuditAdministration, AuditService, ExportOptions } from "./services/audit.js";
export { AUDIT_ACTIONS, type AuditAction } from "./services/audit-trail.js";
export { type BillingService, BUILT_IN_METERS } from "./services/billing.js";
export { BUDGET_THRESHOLDS, type BudgetsService } from "./services/budgets.js";
export {
  type IdentityProvidersService,
  serviceProviderEndpoints,
} from "./services/identity-providers.js";
export type { InputsService, StarsService } from "./services/inputs.js";
export type { AcceptedInvitation, InvitationsService, IssuedInvitation } from "./services/invitations.js";
export type { MembersService } from "./services/members.js";
export {
  type ConceptScore,
  type ModelRunner,
  naiveBayesRunner,
  type RunnerModel,
  type TrainingExample,
  type TrainingResult,
  tokenize,
} from "./services/model-runner.js";
export { MAX_TRAINING_EXAMPLES, type ModelsService } from "./services/models.js";
export type { OrganizationsService } from "./services/organizations.js";
export type { OutboxService } from "./services/outbox.js";
export type { PoliciesService } from "./services/policies.js";
export { allocate, priceAmount } from "./services/pricing.js";
export {
  DEFAULT_RATE_LIMITS,
  type RateLimiter,
  type RateLimitOutcome,
  type RateLimitRule,
  type RateLimits,
  storageRateLimiter,
} from "./services/rate-limit.js";
export type { CallToken, Clock, Limits, SessionSettings } from "./services/runtime.js";
export type { PasswordPolicyPatch, SecurityService } from "./services/security.js";
export type {
  AuthenticatedSession,
  AuthService,
  RequestOrigin,
  SessionsService,
  SignedIn,
} from "./services/sessions.js";
export { compilePolicies } from "./services/snapshots.js";
export {
  SAML_REQUEST_TTL_MS,
  type SsoAcsBody,
  type SsoAcsResult,
  type SsoLogin,
  type SsoService,
} from "./services/sso.js";
export type { TeamsService } from "./services/teams.js";
export type { CreatedToken, TokenActor, TokensService } from "./services/tokens.js";
export {
  type BilledTo,
  MAX_USAGE_CLOCK_SKEW_MS,
  type RecordedUsage,
  routeUsage,
  type UsageService,
} from "./services/usage.js";
export type { RegistrationService, UsersService } from "./services/users.js";
export { validateWorkflowGraph, type WorkflowsService } from "./services/workflows.js";
export { MAX_SAML_RESPONSE_LENGTH } from "./sso/saml-response.js";
export type * from "./storage/app-store.js";
export { APP_SORTS } from "./storage/app-store.js";
export type * from "./storage/audit-store.js";
export {
  GENESIS_HASH,
  GLOBAL_AUDIT_CHAIN,
  hashAuditEvent,
  organizationAuditChain,
} from "./storage/audit-store.js";
export type * from "./storage/billing-store.js";
export type * from "./storage/content-store.js";
export { MODEL_VERSION_STATUSES } from "./storage/content-store.js";
export {
  isUniqueViolation,
  UNIQUE_CONSTRAINTS,
  type UniqueConstraint,
  UniqueViolationError,
} from "./storage/errors.js";
export type * from "./storage/identity-provider-store.js";
export type * from "./storage/invitation-store.js";
export type * from "./storage/member-store.js";
export { MEMBER_SORTS, memberSearchText, memberSortName } from "./storage/member-store.js";
export type * from "./storage/organization-store.js";
export type * from "./storage/outbox-store.js";
export type * from "./storage/policy-store.js";
export type * from "./storage/records.js";
export { INVITATION_STATUSES } from "./storage/records.js";
export type * from "./storage/security-store.js";
export type * from "./storage/session-store.js";
export type * from "./storage/storage.js";
export type * from "./storage/team-store.js";
export { sortName } from "./storage/team-store.js";
export type * from "./storage/token-store.js";
export type * from "./storage/usage-store.js";
export { usageDayOf, usagePeriodOf } from "./storage/usage-store.js";
export type * from "./storage/user-store.js";
export { PASSWORD_HISTORY_KEPT } from "./storage/user-store.js";
