import { runHttpConformanceSuite } from "@orgkit/core/testing";
import { sqliteHarness } from "../testing/harnesses.js";

runHttpConformanceSuite(sqliteHarness());
