/** Implementations of the apps, collaborators, models, workflows, inputs and stars endpoints. */
import type { appContracts } from "../contracts/apps.js";
import type { ImplementationsOf } from "./types.js";

/** Sorts versions newest first under `paginate`'s string order: 1 → "999999998", 2 → "999999997". */
const newestFirst = (version: { number: number }) => String(999_999_999 - version.number).padStart(9, "0");

/** Implementations of the apps endpoints. */
export const appHandlers: ImplementationsOf<typeof appContracts> = {
  apps: {
    list: async ({ services, params, query }) => services.apps.list(params.ownerId, query),
    create: async ({ services, params, body }) => services.apps.create({ ...body, ownerId: params.ownerId }),
    get: async ({ services, params }) => services.apps.get(params.ownerId, params.appId),
    update: async ({ services, params, body }) => services.apps.update(params.ownerId, params.appId, body),
    delete: async ({ services, params }) => {
      await services.apps.delete(params.ownerId, params.appId);
      return undefined;
    },
    duplicate: async ({ services, params, body }) =>
      services.apps.duplicate(params.ownerId, params.appId, body),
    transfer: async ({ services, params, body }) =>
      services.apps.transfer(params.ownerId, params.appId, body),
    pin: async ({ services, params }) => {
      await services.apps.pin(params.ownerId, params.appId);
      return undefined;
    },
    unpin: async ({ services, params }) => {
      await services.apps.unpin(params.ownerId, params.appId);
      return undefined;
    },
    myCollaborations: async ({ services, query }) => services.apps.collaborations(query),
    accountCollaborators: async ({ services, params, query }) =>
      services.apps.accountCollaborators(params.ownerId, query),
  },
  collaborators: {
    list: async ({ services, params, query }) =>
      services.apps.listCollaborators(params.ownerId, params.appId, query),
    add: async ({ services, params, body }) =>
      services.apps.addCollaborator(params.ownerId, params.appId, body),
    update: async ({ services, params, body }) =>
      services.apps.updateCollaborator(params.ownerId, params.appId, params.userId, body.role),
    remove: async ({ services, params }) => {
      await services.apps.removeCollaborator(params.ownerId, params.appId, params.userId);
      return undefined;
    },
  },
  models: {
    list: async ({ services, params, query }) => services.models.list(params.ownerId, params.appId, query),
    create: async ({ services, params, body }) => services.models.create(params.ownerId, params.appId, body),
    get: async ({ services, params }) => services.models.get(params.ownerId, params.appId, params.modelId),
    update: async ({ services, params, body }) =>
      services.models.update(params.ownerId, params.appId, params.modelId, body),
    delete: async ({ services, params }) => {
      await services.models.delete(params.ownerId, params.appId, params.modelId);
      return undefined;
    },
    listVersions: async ({ services, params, query, paginate }) =>
      paginate(
        await services.models.listVersions(params.ownerId, params.appId, params.modelId),
        newestFirst,
        query,
      ),
    train: async ({ services, params, body }) =>
      services.models.train(params.ownerId, params.appId, params.modelId, body),
    predict: async ({ services, params, body }) => ({
      items: await services.models.predict(params.ownerId, params.appId, params.modelId, body),
    }),
  },
  workflows: {
    list: async ({ services, params, query }) => services.workflows.list(params.ownerId, params.appId, query),
    create: async ({ services, params, body }) =>
      services.workflows.create(params.ownerId, params.appId, body),
    get: async ({ services, params }) =>
      services.workflows.get(params.ownerId, params.appId, params.workflowId),
    update: async ({ services, params, body }) =>
      services.workflows.update(params.ownerId, params.appId, params.workflowId, body),
    delete: async ({ services, params }) => {
      await services.workflows.delete(params.ownerId, params.appId, params.workflowId);
      return undefined;
    },
    duplicate: async ({ services, params, body }) =>
      services.workflows.duplicate(params.ownerId, params.appId, params.workflowId, body),
    listVersions: async ({ services, params, query, paginate }) =>
      paginate(
        await services.workflows.listVersions(params.ownerId, params.appId, params.workflowId),
        newestFirst,
        query,
      ),
  },
  inputs: {
    list: async ({ services, params, query }) => services.inputs.list(params.ownerId, params.appId, query),
    add: async ({ services, params, body }) => ({
      items: await services.inputs.add(params.ownerId, params.appId, body.inputs),
    }),
    get: async ({ services, params }) => services.inputs.get(params.ownerId, params.appId, params.inputId),
    delete: async ({ services, params }) => {
      await services.inputs.delete(params.ownerId, params.appId, params.inputId);
      return undefined;
    },
    listConcepts: async ({ services, params, query, paginate }) =>
      paginate(
        (await services.inputs.concepts(params.ownerId, params.appId)).map((id) => ({ id })),
        (concept) => concept.id,
        query,
      ),
  },
  stars: {
    list: async ({ services, query }) => services.stars.list(query),
    starModel: async ({ services, params }) => {
      await services.stars.star(params.ownerId, params.appId, { kind: "model", id: params.modelId });
      return undefined;
    },
    unstarModel: async ({ services, params }) => {
      await services.stars.unstar(params.ownerId, params.appId, { kind: "model", id: params.modelId });
      return undefined;
    },
    starWorkflow: async ({ services, params }) => {
      await services.stars.star(params.ownerId, params.appId, { kind: "workflow", id: params.workflowId });
      return undefined;
    },
    unstarWorkflow: async ({ services, params }) => {
      await services.stars.unstar(params.ownerId, params.appId, { kind: "workflow", id: params.workflowId });
      return undefined;
    },
  },
};
