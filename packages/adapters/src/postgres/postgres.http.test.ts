import { runHttpConformanceSuite } from "@orgkit/core/testing";
import pg from "pg";
import { beforeAll } from "vitest";
import { PG_URL, postgresHarness } from "../testing/harnesses.js";

// An unreachable server fails the run here, loudly; it never skips.
beforeAll(async () => {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  await client.end();
});

runHttpConformanceSuite(postgresHarness());
