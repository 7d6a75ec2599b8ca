/**
 * The content of an app: models with versions, workflows with versions, concepts, inputs and
 * stars. Every row belongs to one app (by internal key) and goes when the app goes.
 */
import type { TextKeyset } from "./team-store.js";

/** Private to the app's people, or public to anyone who can see the app. */
export type ContentVisibility = "private" | "public";

/** A model as stored. */
export interface ModelRecord {
  readonly key: string;
  readonly appKey: string;
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly description: string | null;
  readonly visibility: ContentVisibility;
  /** The concept ids the model predicts; empty for "every concept of the app". */
  readonly conceptIds: readonly string[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** The lifecycle of a model version. */
export const MODEL_VERSION_STATUSES = ["pending", "training", "trained", "failed"] as const;
/** One of {@link MODEL_VERSION_STATUSES}. */
export type ModelVersionStatus = (typeof MODEL_VERSION_STATUSES)[number];

/** A trained (or failed) version of a model, with what the runner learned. */
export interface ModelVersionRecord {
  readonly key: string;
  readonly modelKey: string;
  /** 1, 2, 3, … per model. */
  readonly number: number;
  readonly status: ModelVersionStatus;
  /** The runner's learned parameters (JSON); null until trained. */
  readonly params: unknown;
  /** Training metrics (JSON), or null. */
  readonly metrics: unknown;
  readonly createdAt: Date;
}

/** A workflow's graph: model nodes and the edges between them. */
export interface WorkflowGraph {
  readonly nodes: readonly { readonly id: string; readonly modelId: string }[];
  readonly edges: readonly { readonly from: string; readonly to: string }[];
}

/** A workflow as stored. */
export interface WorkflowRecord {
  readonly key: string;
  readonly appKey: string;
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly visibility: ContentVisibility;
  readonly graph: WorkflowGraph;
  /** The number of its latest version. */
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A saved version of a workflow's graph. */
export interface WorkflowVersionRecord {
  readonly workflowKey: string;
  readonly number: number;
  readonly graph: WorkflowGraph;
  readonly createdAt: Date;
}

/** An input: a text or a URL, with the concepts it is labelled with. */
export interface InputRecord {
  readonly key: string;
  readonly appKey: string;
  readonly id: string;
  readonly text: string | null;
  readonly url: string | null;
  readonly conceptIds: readonly string[];
  readonly createdAt: Date;
}

/** A page query of an app's inputs, newest first. */
export interface InputListQuery {
  /** Only inputs labelled with this concept. */
  readonly conceptId?: string | undefined;
  /** Lower-cased text to find in the input's text or URL. */
  readonly search?: string | undefined;
  /** Strictly after this (created-at, key) position, in descending order. */
  readonly after?: { readonly value: number; readonly key: string } | undefined;
  readonly limit: number;
}

/** A concept of an app. */
export interface ConceptRecord {
  readonly appKey: string;
  readonly id: string;
  readonly createdAt: Date;
}

/** What a star points at. */
export type StarKind = "model" | "workflow";

/** A starred model or workflow, with where it lives. */
export interface StarRow {
  readonly kind: StarKind;
  readonly targetKey: string;
  readonly targetId: string;
  readonly targetName: string;
  readonly appKey: string;
  readonly appId: string;
  readonly ownerId: string;
  readonly starredAt: Date;
}

/** Models, their versions and the app's concepts. */
export interface ModelStore {
  /** Inserts a model; MUST throw `UniqueViolationError("model_id")` when the app has one with this id. */
  insert(model: Omit<ModelRecord, "createdAt" | "updatedAt"> & { readonly at: Date }): Promise<ModelRecord>;
  /** The model with this id in the app, or null. */
  get(appKey: string, id: string): Promise<ModelRecord | null>;
  /** Every model of an app (for duplication and workflow validation), by id. */
  listAll(appKey: string): Promise<ModelRecord[]>;
  /** Models by sort name then key, strictly after `after`; `search` on name or id. */
  list(
    appKey: string,
    query: { search?: string | undefined; after?: TextKeyset | undefined; limit: number },
  ): Promise<ModelRecord[]>;
  /** Applies a patch; returns the new record or null. */
  update(
    key: string,
    patch: {
      name?: string;
      description?: string | null;
      visibility?: ContentVisibility;
      conceptIds?: readonly string[];
    },
    at: Date,
  ): Promise<ModelRecord | null>;
  /** Deletes a model with its versions and stars. */
  delete(key: string): Promise<boolean>;
  /**
   * Appends a version numbered one past the model's latest, in the caller's transaction. MUST
   * lock the model row first (a conditional write), so concurrent trainings number distinctly.
   */
  insertVersion(
    modelKey: string,
    version: { key: string; status: ModelVersionStatus; params: unknown; metrics: unknown; at: Date },
  ): Promise<ModelVersionRecord>;
  /** A model's versions, newest first. */
  listVersions(modelKey: string): Promise<ModelVersionRecord[]>;
  /** The given version, or the latest trained one when `number` is undefined; null when none. */
  getVersion(modelKey: string, number?: number): Promise<ModelVersionRecord | null>;
  /** Creates the concepts the app lacks (idempotent). */
  ensureConcepts(appKey: string, ids: readonly string[], at: Date): Promise<void>;
  /** The app's concepts by id. */
  listConcepts(appKey: string): Promise<ConceptRecord[]>;
}

/** Workflows and their versions. */
export interface WorkflowStore {
  /** Inserts a workflow at version 1; MUST throw `UniqueViolationError("workflow_id")` for a taken id. */
  insert(
    workflow: Omit<WorkflowRecord, "createdAt" | "updatedAt" | "version"> & { readonly at: Date },
  ): Promise<WorkflowRecord>;
  /** The workflow with this id in the app, or null. */
  get(appKey: string, id: string): Promise<WorkflowRecord | null>;
  /** Every workflow of an app. */
  listAll(appKey: string): Promise<WorkflowRecord[]>;
  /** Workflows by sort name then key, strictly after `after`; `search` on name or id. */
  list(
    appKey: string,
    query: { search?: string | undefined; after?: TextKeyset | undefined; limit: number },
  ): Promise<WorkflowRecord[]>;
  /** Applies a patch; a new graph becomes a new version. Returns the new record or null. */
  update(
    key: string,
    patch: {
      name?: string;
      description?: string | null;
      visibility?: ContentVisibility;
      graph?: WorkflowGraph;
    },
    at: Date,
  ): Promise<WorkflowRecord | null>;
  /** Deletes a workflow with its versions and stars. */
  delete(key: string): Promise<boolean>;
  /** A workflow's versions, newest first. */
  listVersions(workflowKey: string): Promise<WorkflowVersionRecord[]>;
}

/** Inputs of an app and their concepts. */
export interface InputStore {
  /** Inserts inputs; MUST throw `UniqueViolationError("input_id")` when an id is taken in the app. */
  insertMany(inputs: readonly (Omit<InputRecord, "createdAt"> & { readonly at: Date })[]): Promise<void>;
  /** The input with this id in the app, or null. */
  get(appKey: string, id: string): Promise<InputRecord | null>;
  /** Inputs newest first (created-at, then key), filtered by concept and text. */
  list(appKey: string, query: InputListQuery): Promise<InputRecord[]>;
  /** Deletes an input; false when there was none. */
  delete(key: string): Promise<boolean>;
  /** Up to `limit` text inputs of the app with their concepts, for training. */
  listTextExamples(appKey: string, limit: number): Promise<{ text: string; conceptIds: string[] }[]>;
}

/** Stars on models and workflows. */
export interface StarStore {
  /** Stars a model or workflow for a user (idempotent); returns false when it was already starred. */
  star(userKey: string, kind: StarKind, targetKey: string, appKey: string, at: Date): Promise<boolean>;
  /** Removes a star; false when there was none. */
  unstar(userKey: string, targetKey: string): Promise<boolean>;
  /** The user's stars, newest first, strictly after the (starred-at, target key) position. */
  list(
    userKey: string,
    after: { readonly value: number; readonly key: string } | undefined,
    limit: number,
  ): Promise<StarRow[]>;
  /** How many users starred a target. */
  count(targetKey: string): Promise<number>;
}
