/** Examples of the apps endpoints for the generic HTTP tests. */
import type { App } from "../../schemas/app.js";
import type { Model, Workflow } from "../../schemas/content.js";
import type { ExampleSet, HttpFixture, HttpSide } from "../http-fixture.js";

/** Labelled texts the naive Bayes runner learns `billing` and `bug` from. */
export const TRAINING_INPUTS = [
  { text: "my card was charged twice", conceptIds: ["billing"] },
  { text: "refund the duplicate charge on my invoice", conceptIds: ["billing"] },
  { text: "the invoice amount is wrong", conceptIds: ["billing"] },
  { text: "I was billed after cancelling", conceptIds: ["billing"] },
  { text: "the app crashes when I open it", conceptIds: ["bug"] },
  { text: "error 500 when saving a file", conceptIds: ["bug"] },
  { text: "the page is blank after login and crashes", conceptIds: ["bug"] },
  { text: "button does nothing, console shows an error", conceptIds: ["bug"] },
];

/** A fresh private app of the side's organization, made by its admin. */
export function orgApp(fx: HttpFixture, side: HttpSide): Promise<App> {
  return side.adminServices.apps.create({ id: fx.unique("app"), name: "Support", ownerId: side.org.id });
}

/** A fresh app with a text classifier (and, when `trained`, the inputs and a trained version). */
export async function appWithModel(
  fx: HttpFixture,
  side: HttpSide,
  { trained = false }: { trained?: boolean } = {},
): Promise<{ app: App; model: Model }> {
  const app = await orgApp(fx, side);
  const model = await side.adminServices.models.create(side.org.id, app.id, {
    id: "triage",
    type: "text-classifier",
  });
  if (trained) {
    await side.adminServices.inputs.add(side.org.id, app.id, TRAINING_INPUTS);
    await side.adminServices.models.train(side.org.id, app.id, model.id);
  }
  return { app, model };
}

async function appWithWorkflow(fx: HttpFixture, side: HttpSide): Promise<{ app: App; workflow: Workflow }> {
  const { app, model } = await appWithModel(fx, side);
  const workflow = await side.adminServices.workflows.create(side.org.id, app.id, {
    id: "route",
    graph: { nodes: [{ id: "a", modelId: model.id }] },
  });
  return { app, workflow };
}

async function appWithCollaborator(fx: HttpFixture, side: HttpSide) {
  const app = await orgApp(fx, side);
  const outsider = await fx.user("Outsider");
  await side.adminServices.apps.addCollaborator(side.org.id, app.id, {
    userId: outsider.id,
    role: "labeler_worker",
  });
  return { params: { ownerId: side.org.id, appId: app.id, userId: outsider.id } };
}

const appParams = async (fx: HttpFixture, side: HttpSide) => ({
  ownerId: side.org.id,
  appId: (await orgApp(fx, side)).id,
});

const modelParams = async (fx: HttpFixture, side: HttpSide, trained = false) => {
  const { app, model } = await appWithModel(fx, side, { trained });
  return { ownerId: side.org.id, appId: app.id, modelId: model.id };
};

const workflowParams = async (fx: HttpFixture, side: HttpSide) => {
  const { app, workflow } = await appWithWorkflow(fx, side);
  return { ownerId: side.org.id, appId: app.id, workflowId: workflow.id };
};

const inputParams = async (fx: HttpFixture, side: HttpSide) => {
  const app = await orgApp(fx, side);
  const [input] = await side.adminServices.inputs.add(side.org.id, app.id, [
    { text: "hello", conceptIds: ["greeting"] },
  ]);
  return { ownerId: side.org.id, appId: app.id, inputId: input!.id };
};

/** Examples of `apps`, `collaborators`, `models`, `workflows`, `inputs` and `stars`. */
export const appExamples: ExampleSet = {
  "apps.list": {
    build: async (fx, side) => {
      await orgApp(fx, side);
      return { params: { ownerId: side.org.id }, query: { limit: "1" } };
    },
    // Anyone may list an account's public apps: another account's list answers 200 with none of
    // its private apps (asserted in apps.http.conformance.ts), not 404.
    foreign: false,
  },
  "apps.create": {
    build: async (fx, side) => ({
      params: { ownerId: side.org.id },
      body: { id: fx.unique("new-app"), name: "New app", labels: ["hipaa"], visibility: "org" },
    }),
    status: 201,
  },
  "apps.get": { build: async (fx, side) => ({ params: await appParams(fx, side) }) },
  "apps.update": {
    build: async (fx, side) => ({
      params: await appParams(fx, side),
      body: { description: "Edited over HTTP" },
    }),
  },
  "apps.delete": { build: async (fx, side) => ({ params: await appParams(fx, side) }) },
  "apps.duplicate": {
    build: async (fx, side) => ({
      params: await appParams(fx, side),
      body: { id: fx.unique("copy"), name: "Copy", includeInputs: true },
    }),
    status: 201,
  },
  "apps.transfer": {
    // An app of the admin's personal account, moved into their organization.
    build: async (fx, side) => {
      const app = await side.adminServices.apps.create({
        id: fx.unique("personal"),
        name: "Prototype",
        ownerId: side.admin.id,
      });
      return { params: { ownerId: side.admin.id, appId: app.id }, body: { organizationId: side.org.id } };
    },
  },
  "apps.pin": { build: async (fx, side) => ({ params: await appParams(fx, side) }) },
  "apps.unpin": {
    build: async (fx, side) => {
      const params = await appParams(fx, side);
      await side.adminServices.apps.pin(params.ownerId, params.appId);
      return { params };
    },
  },
  "apps.myCollaborations": { build: async () => ({ query: { limit: "5" } }), foreign: false },
  "apps.accountCollaborators": {
    build: async (fx, side) => {
      await appWithCollaborator(fx, side);
      return { params: { ownerId: side.org.id }, query: { limit: "1" } };
    },
  },

  "collaborators.list": {
    build: async (fx, side) => {
      const { params } = await appWithCollaborator(fx, side);
      return { params: { ownerId: params.ownerId, appId: params.appId }, query: { limit: "1" } };
    },
  },
  "collaborators.add": {
    build: async (fx, side) => ({
      params: await appParams(fx, side),
      body: { userId: (await fx.user("Guest")).id, role: "labeler_worker" },
    }),
    status: 201,
  },
  "collaborators.update": {
    build: async (fx, side) => ({
      ...(await appWithCollaborator(fx, side)),
      body: { role: "model_trainer" },
    }),
  },
  "collaborators.remove": { build: async (fx, side) => appWithCollaborator(fx, side) },

  "models.list": {
    build: async (fx, side) => ({ params: await appParams(fx, side), query: { limit: "1" } }),
  },
  "models.create": {
    build: async (fx, side) => ({
      params: await appParams(fx, side),
      body: { id: "triage", name: "Triage", type: "text-classifier", conceptIds: ["billing", "bug"] },
    }),
    status: 201,
  },
  "models.get": { build: async (fx, side) => ({ params: await modelParams(fx, side) }) },
  "models.update": {
    build: async (fx, side) => ({ params: await modelParams(fx, side), body: { visibility: "public" } }),
  },
  "models.delete": { build: async (fx, side) => ({ params: await modelParams(fx, side) }) },
  "models.listVersions": { build: async (fx, side) => ({ params: await modelParams(fx, side, true) }) },
  "models.train": {
    build: async (fx, side) => {
      const { app, model } = await appWithModel(fx, side);
      await side.adminServices.inputs.add(side.org.id, app.id, TRAINING_INPUTS);
      return { params: { ownerId: side.org.id, appId: app.id, modelId: model.id }, body: {} };
    },
    status: 201,
  },
  "models.predict": {
    build: async (fx, side) => ({
      params: await modelParams(fx, side, true),
      body: { text: "please refund this charge" },
    }),
  },

  "workflows.list": {
    build: async (fx, side) => {
      const { app } = await appWithWorkflow(fx, side);
      return { params: { ownerId: side.org.id, appId: app.id }, query: { limit: "1" } };
    },
  },
  "workflows.create": {
    build: async (fx, side) => {
      const { app, model } = await appWithModel(fx, side);
      return {
        params: { ownerId: side.org.id, appId: app.id },
        body: { id: "route", graph: { nodes: [{ id: "a", modelId: model.id }], edges: [] } },
      };
    },
    status: 201,
  },
  "workflows.get": { build: async (fx, side) => ({ params: await workflowParams(fx, side) }) },
  "workflows.update": {
    build: async (fx, side) => ({ params: await workflowParams(fx, side), body: { name: "Routing" } }),
  },
  "workflows.delete": { build: async (fx, side) => ({ params: await workflowParams(fx, side) }) },
  "workflows.duplicate": {
    build: async (fx, side) => ({ params: await workflowParams(fx, side), body: { id: "route-copy" } }),
    status: 201,
  },
  "workflows.listVersions": { build: async (fx, side) => ({ params: await workflowParams(fx, side) }) },

  "inputs.list": {
    build: async (fx, side) => {
      const { ownerId, appId } = await inputParams(fx, side);
      return { params: { ownerId, appId }, query: { limit: "1", conceptId: "greeting" } };
    },
  },
  "inputs.add": {
    build: async (fx, side) => ({
      params: await appParams(fx, side),
      body: { inputs: [{ text: "my card was charged twice", conceptIds: ["billing"] }] },
    }),
    status: 201,
  },
  "inputs.get": { build: async (fx, side) => ({ params: await inputParams(fx, side) }) },
  "inputs.delete": { build: async (fx, side) => ({ params: await inputParams(fx, side) }) },
  "inputs.listConcepts": {
    build: async (fx, side) => {
      const { ownerId, appId } = await inputParams(fx, side);
      return { params: { ownerId, appId }, query: { limit: "1" } };
    },
  },

  "stars.list": {
    build: async (fx, side) => {
      const params = await modelParams(fx, side);
      await side.adminServices.stars.star(params.ownerId, params.appId, {
        kind: "model",
        id: params.modelId,
      });
      return { query: { limit: "1" } };
    },
    foreign: false,
  },
  "stars.starModel": { build: async (fx, side) => ({ params: await modelParams(fx, side) }) },
  "stars.unstarModel": {
    build: async (fx, side) => {
      const params = await modelParams(fx, side);
      await side.adminServices.stars.star(params.ownerId, params.appId, {
        kind: "model",
        id: params.modelId,
      });
      return { params };
    },
  },
  "stars.starWorkflow": { build: async (fx, side) => ({ params: await workflowParams(fx, side) }) },
  "stars.unstarWorkflow": {
    build: async (fx, side) => {
      const params = await workflowParams(fx, side);
      await side.adminServices.stars.star(params.ownerId, params.appId, {
        kind: "workflow",
        id: params.workflowId,
      });
      return { params };
    },
  },
};
