/**
 * README's curl example, for real: `pnpm serve` prints a personal access token and a curl command;
 * running that command with the system's curl lists the members of test-org.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("pnpm serve", () => {
  const dir = mkdtempSync(join(tmpdir(), "orgkit-serve-"));
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the API, and the printed curl command lists test-org's members with the PAT", async () => {
    const port = await freePort();
    child = spawn(
      join(here, "..", "node_modules", ".bin", "tsx"),
      ["--conditions=@orgkit/source", join(here, "main.ts"), "--serve"],
      {
        env: { ...process.env, ORGKIT_PORT: String(port), INIT_CWD: dir },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let output = "";
    await new Promise<void>((resolve, reject) => {
      child!.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (/curl .*\n/.test(output)) resolve();
      });
      child!.on("exit", (code) => reject(new Error(`exited with ${code}: ${output}`)));
    });
    const token = /export ORGKIT_TOKEN=(orgkit_pat_\w+)/.exec(output)![1]!;
    const url = /"(http:\/\/localhost:\d+\/api\/orgs\/test-org\/members\?limit=2)"/.exec(output)![1]!;
    const { stdout } = await run("curl", ["-s", "-H", `Authorization: Bearer ${token}`, url]);
    const page = JSON.parse(stdout) as {
      items: { userId: string; role: string }[];
      nextCursor: string | null;
    };
    expect(page.items.map((member) => member.userId)).toEqual(["alice", "bob"]);
    expect(page.nextCursor).toBeNull();

    const refused = await run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", url]);
    expect(refused.stdout).toBe("401");
  });
});
