/**
 * App roles (Clarifai's team app roles, also given to collaborators) and the scopes app
 * visibility grants. Like organization roles, they are data: a name and a set of scopes.
 */
import { APP_SCOPES, type AppScope } from "./scopes.js";

/** The roles a team or a collaborator can hold on one app (Clarifai's team app roles). */
export const APP_ROLES = ["full_access", "model_trainer", "labeler_lead", "labeler_worker"] as const;

/** One of {@link APP_ROLES}. */
export type AppRole = (typeof APP_ROLES)[number];

/** True when `value` names an app role. */
export function isAppRole(value: string): value is AppRole {
  return Object.hasOwn(APP_ROLE_DEFINITIONS, value);
}

/** An app role: a label for a UI and the scopes it grants on the one app. */
export interface AppRoleDefinition {
  readonly label: string;
  readonly description: string;
  readonly scopes: readonly AppScope[];
}

/** Reading an app and its content, and predicting with its models. */
export const APP_READ_SCOPES = [
  "apps:get",
  "inputs:get",
  "concepts:get",
  "annotations:get",
  "models:get",
  "workflows:get",
  "collaborators:get",
  "search",
  "predict",
] as const satisfies readonly AppScope[];

/** What `public` visibility gives anyone, signed in or not: read the app's content and predict. */
export const PUBLIC_APP_SCOPES = [
  "apps:get",
  "inputs:get",
  "concepts:get",
  "annotations:get",
  "models:get",
  "workflows:get",
  "search",
  "predict",
] as const satisfies readonly AppScope[];

/**
 * What `org` visibility gives every member of the owning organization whose role sees content
 * (all but `financial_manager`): read, without predicting.
 */
export const ORG_VISIBLE_APP_SCOPES = [
  "apps:get",
  "inputs:get",
  "concepts:get",
  "annotations:get",
  "models:get",
  "workflows:get",
  "search",
] as const satisfies readonly AppScope[];

/** The app role table. No app role can delete or transfer the app: that stays with its owner's admins. */
export const APP_ROLE_DEFINITIONS: Readonly<Record<AppRole, AppRoleDefinition>> = {
  full_access: {
    label: "Full access",
    description: "Everything on the app's content, and its collaborators; not deleting or transferring it.",
    scopes: APP_SCOPES.filter(
      (scope) => scope !== "apps:add" && scope !== "apps:delete" && scope !== "apps:transfer",
    ),
  },
  model_trainer: {
    label: "Model trainer",
    description: "Creates, trains and deletes models and workflows; reads inputs and concepts.",
    scopes: [
      ...APP_READ_SCOPES,
      "concepts:add",
      "models:add",
      "models:delete",
      "models:train",
      "workflows:add",
      "workflows:delete",
    ],
  },
  labeler_lead: {
    label: "Labeler lead",
    description: "Manages inputs, concepts and annotations.",
    scopes: [
      ...APP_READ_SCOPES,
      "inputs:add",
      "inputs:delete",
      "concepts:add",
      "concepts:delete",
      "annotations:add",
      "annotations:delete",
    ],
  },
  labeler_worker: {
    label: "Labeler worker",
    description: "Reads inputs and concepts and adds annotations.",
    scopes: ["apps:get", "inputs:get", "concepts:get", "annotations:get", "annotations:add"],
  },
};

/** Who can see an app: its owner's people only, every member of the owning organization, or anyone. */
export const APP_VISIBILITIES = ["private", "org", "public"] as const;

/** One of {@link APP_VISIBILITIES}. */
export type AppVisibility = (typeof APP_VISIBILITIES)[number];
