import { defineConfig } from "vitest/config";

// Tests run against the TypeScript sources (the `@orgkit/source` export condition), so
// `pnpm test` needs no build first.
export default defineConfig({
  resolve: { conditions: ["@orgkit/source"] },
  ssr: { resolve: { conditions: ["@orgkit/source"] } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "examples/*/src/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
