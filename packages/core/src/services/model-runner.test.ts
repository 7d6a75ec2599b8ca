import { describe, expect, it } from "vitest";
import { naiveBayesRunner, tokenize } from "./model-runner.js";
import { validateWorkflowGraph } from "./workflows.js";

describe("the naive Bayes runner", () => {
  const model = { id: "m", type: "text-classifier", conceptIds: [] };

  it("learns word frequencies per concept and predicts probabilities that sum to 1", async () => {
    const runner = naiveBayesRunner();
    const { params, metrics } = await runner.train(model, [
      { text: "cheap pills buy now", conceptIds: ["spam"] },
      { text: "buy cheap watches now", conceptIds: ["spam"] },
      { text: "meeting agenda for monday", conceptIds: ["ham"] },
      { text: "lunch on monday?", conceptIds: ["ham"] },
    ]);
    expect(metrics).toMatchObject({ examples: 4, concepts: 2, trainingAccuracy: 1 });
    const scores = await runner.predict(model, JSON.parse(JSON.stringify(params)), "Buy cheap now!");
    expect(scores[0]!.conceptId).toBe("spam");
    expect(scores.reduce((s, c) => s + c.value, 0)).toBeCloseTo(1, 12);
    expect((await runner.predict(model, params, "agenda monday"))[0]!.conceptId).toBe("ham");
  });

  it("refuses to train on fewer than two concepts, and only handles text classifiers", async () => {
    const runner = naiveBayesRunner();
    await expect(runner.train(model, [{ text: "x", conceptIds: ["a"] }])).rejects.toThrow(/two concepts/);
    expect(runner.supports("visual-detector")).toBe(false);
    expect(tokenize("Été 2024, naïve!")).toEqual(["été", "2024", "naïve"]);
  });
});

describe("workflow graph validation", () => {
  const models = new Set(["a", "b"]);
  const nodes = [
    { id: "x", modelId: "a" },
    { id: "y", modelId: "b" },
    { id: "z", modelId: "a" },
  ];
  it("accepts a DAG and names the offending part of anything else", () => {
    expect(() =>
      validateWorkflowGraph(
        {
          nodes,
          edges: [
            { from: "x", to: "y" },
            { from: "x", to: "z" },
            { from: "y", to: "z" },
          ],
        },
        models,
      ),
    ).not.toThrow();
    const param = (graph: Parameters<typeof validateWorkflowGraph>[0]) => {
      try {
        validateWorkflowGraph(graph, models);
      } catch (error) {
        return (error as { param?: string }).param;
      }
      return undefined;
    };
    expect(
      param({
        nodes,
        edges: [
          { from: "x", to: "y" },
          { from: "y", to: "z" },
          { from: "z", to: "y" },
        ],
      }),
    ).toBe("graph.edges.1");
    expect(param({ nodes, edges: [{ from: "x", to: "w" }] })).toBe("graph.edges.0.to");
    expect(param({ nodes: [{ id: "x", modelId: "c" }], edges: [] })).toBe("graph.nodes.0.modelId");
  });
});
