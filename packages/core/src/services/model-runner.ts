/**
 * The `ModelRunner` port that trains and predicts, and the runner orgkit ships: multinomial
 * naive Bayes for `text-classifier` models, over the app's text inputs and their concepts.
 */

/** A model as a runner sees it. */
export interface RunnerModel {
  readonly id: string;
  readonly type: string;
  /** The concepts to learn; empty for every concept the examples carry. */
  readonly conceptIds: readonly string[];
}

/** A labelled example. */
export interface TrainingExample {
  readonly text: string;
  readonly conceptIds: readonly string[];
}

/** What training produced: JSON-serializable parameters and metrics, stored with the version. */
export interface TrainingResult {
  readonly params: unknown;
  readonly metrics: unknown;
}

/** A concept and its probability. */
export interface ConceptScore {
  readonly conceptId: string;
  readonly value: number;
}

/**
 * Trains and runs models. Hosts plug their own (a GPU service, a hosted API) through
 * `createOrgKit({ modelRunner })`; calls happen outside any storage transaction's locks only
 * in the sense that they must not touch orgkit's storage.
 */
export interface ModelRunner {
  /** Whether this runner handles models of `type`. */
  supports(type: string): boolean;
  /** Learns from the examples; throws a plain Error when it cannot (orgkit reports it). */
  train(model: RunnerModel, examples: readonly TrainingExample[]): Promise<TrainingResult>;
  /** Scores `text` with a version's parameters, highest first. */
  predict(model: RunnerModel, params: unknown, text: string): Promise<ConceptScore[]>;
}

interface NaiveBayesParams {
  readonly algorithm: "multinomial-naive-bayes";
  readonly vocabularySize: number;
  readonly documents: number;
  readonly concepts: readonly {
    readonly id: string;
    readonly documents: number;
    readonly tokens: number;
    readonly counts: Readonly<Record<string, number>>;
  }[];
}

/** Lower-cased NFC word tokens (letters and digits of any script). */
export function tokenize(text: string): string[] {
  return (
    text
      .normalize("NFC")
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

function scores(params: NaiveBayesParams, text: string): ConceptScore[] {
  const tokens = tokenize(text);
  const classes = params.concepts.length;
  const logits = params.concepts.map((c) => {
    let logit = Math.log((c.documents + 1) / (params.documents + classes));
    const denominator = c.tokens + params.vocabularySize + 1;
    for (const token of tokens) logit += Math.log(((c.counts[token] ?? 0) + 1) / denominator);
    return logit;
  });
  const max = Math.max(...logits);
  const exps = logits.map((l) => Math.exp(l - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return params.concepts
    .map((c, i) => ({ conceptId: c.id, value: exps[i]! / sum }))
    .sort((a, b) => b.value - a.value || (a.conceptId < b.conceptId ? -1 : 1));
}

/**
 * Multinomial naive Bayes with Laplace smoothing for `text-classifier` models: each (input,
 * concept) pair is a document of that concept; prediction is the softmax of the log posteriors.
 *
 * @example
 * ```ts
 * const orgkit = createOrgKit({ storage, baseUrl, modelRunner: naiveBayesRunner() });
 * ```
 */
export function naiveBayesRunner(): ModelRunner {
  return {
    supports: (type) => type === "text-classifier",

    async train(model, examples) {
      const wanted = model.conceptIds.length > 0 ? new Set(model.conceptIds) : null;
      const byConcept = new Map<
        string,
        { documents: number; tokens: number; counts: Record<string, number> }
      >();
      const vocabulary = new Set<string>();
      let documents = 0;
      for (const example of examples) {
        const tokens = tokenize(example.text);
        for (const conceptId of new Set(example.conceptIds)) {
          if (wanted !== null && !wanted.has(conceptId)) continue;
          let entry = byConcept.get(conceptId);
          if (entry === undefined) {
            entry = { documents: 0, tokens: 0, counts: Object.create(null) as Record<string, number> };
            byConcept.set(conceptId, entry);
          }
          entry.documents += 1;
          documents += 1;
          for (const token of tokens) {
            entry.counts[token] = (entry.counts[token] ?? 0) + 1;
            entry.tokens += 1;
            vocabulary.add(token);
          }
        }
      }
      if (byConcept.size < 2) {
        throw new Error("Training a classifier needs text inputs labelled with at least two concepts.");
      }
      const params: NaiveBayesParams = {
        algorithm: "multinomial-naive-bayes",
        vocabularySize: vocabulary.size,
        documents,
        concepts: [...byConcept.entries()]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([id, c]) => ({ id, documents: c.documents, tokens: c.tokens, counts: { ...c.counts } })),
      };
      let correct = 0;
      let labelled = 0;
      for (const example of examples) {
        const relevant = example.conceptIds.filter((c) => byConcept.has(c));
        if (relevant.length === 0) continue;
        labelled += 1;
        if (relevant.includes(scores(params, example.text)[0]!.conceptId)) correct += 1;
      }
      return {
        params,
        metrics: {
          examples: labelled,
          concepts: byConcept.size,
          vocabulary: vocabulary.size,
          trainingAccuracy: labelled === 0 ? 0 : correct / labelled,
        },
      };
    },

    async predict(_model, params, text) {
      const p = params as NaiveBayesParams | null;
      if (p === null || p.algorithm !== "multinomial-naive-bayes") {
        throw new Error("These parameters were not made by the naive Bayes runner.");
      }
      return scores(p, text);
    },
  };
}
