import { runConformanceSuite } from "@orgkit/core/testing";
import { sqliteHarness } from "../testing/harnesses.js";

runConformanceSuite(sqliteHarness(), { propertyRuns: 30 });
