import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));

/** Every module `entry` loads at run time (type-only imports excluded), relative ones followed. */
function runtimeGraph(entry: string): { files: Set<string>; external: Set<string> } {
  const files = new Set<string>();
  const external = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, "utf8");
    for (const match of source.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+"([^"]+)";/gms)) {
      if (match[1] !== undefined) continue;
      const specifier = match[2] as string;
      if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier.replace(/\.js$/, ".ts")));
      else external.add(specifier);
    }
  };
  visit(entry);
  return { files, external };
}

describe("@orgkit/core/client", () => {
  it("loads no Node built-in and no server code, so it can ship to a browser", () => {
    const { files, external } = runtimeGraph(resolve(here, "index.ts"));
    expect([...external].sort()).toEqual(["zod"]);
    const serverSide = [...files].filter(
      (file) =>
        /\/(services|internal|sso|testing)\//.test(file) ||
        /\/http\/(handler|node|handlers\/.*)\.ts$/.test(file),
    );
    expect(serverSide).toEqual([]);
    expect(files.size).toBeGreaterThan(5);
  });
});
