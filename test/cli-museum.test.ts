// The command line of any spec: museum.yaml's generated cli.ts compiles strictly and runs its operations as a child
// process against a loopback server.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../scripts/pipeline/run.js";
import {
  generate,
  SHARED_SPECS,
  SHARED_SPECS_MISSING,
  startServer,
  typeCheck,
  useTempPackage,
  type LoopbackServer,
  type SeenRequest,
} from "./pipeline-harness.js";
import type { ServerResponse } from "node:http";

const pkg = useTempPackage("cli-museum");

function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(pkg.root, "museum-cli.mts"), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(SHARED_SPECS_MISSING !== undefined)("generated command line for museum.yaml", () => {
  let server: LoopbackServer;
  let respond: (seen: SeenRequest, res: ServerResponse) => void = () => {};
  let env: Record<string, string>;

  beforeAll(async () => {
    await generate(join(SHARED_SPECS, "museum.yaml"), join(pkg.root, "museum"));
    writeFileSync(join(pkg.root, "museum", "check.ts"), 'export { commands, main } from "./cli.js";\n');
    writeFileSync(
      join(pkg.root, "museum-cli.mts"),
      'import { main } from "./museum/cli.js";\nprocess.exitCode = await main();\n',
    );
    server = await startServer((seen, res) => respond(seen, res));
    env = {
      REDOCLY_MUSEUM_BASE_URL: server.origin,
      REDOCLY_MUSEUM_USERNAME: "curator",
      REDOCLY_MUSEUM_PASSWORD: "museum-password-1",
    };
  }, 60_000);
  afterAll(() => server?.close());

  it("emits cli.ts, which compiles strictly (skipLibCheck false) with the command line's runtime", async () => {
    expect(readFileSync(join(pkg.root, "museum", "cli.ts"), "utf8")).toContain('path: ["special-events", "create"]');
    expect(await typeCheck(pkg.root, ["museum"])).toBe("");
  }, 120_000);

  it("special-events create: body-field flags (a repeatable array, a number) become the JSON body", async () => {
    const created = {
      eventId: "ev_1",
      name: "Ocean Night",
      location: "Hall 2",
      eventDescription: "Whales, after hours",
      dates: ["2024-01-01", "2024-01-02"],
      price: 12.5,
    };
    respond = (_seen, res) => {
      res.writeHead(201, { "content-type": "application/json" });
      res.end(JSON.stringify(created));
    };
    const { code, stdout, stderr } = await run(
      [
        "special-events",
        "create",
        "--name",
        "Ocean Night",
        "--location",
        "Hall 2",
        "--event-description",
        "Whales, after hours",
        "--dates",
        "2024-01-01",
        "--dates",
        "2024-01-02",
        "--price",
        "12.5",
      ],
      env,
    );
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toEqual(created);
    const seen = server.requests.at(-1) as SeenRequest;
    expect(`${seen.method} ${seen.url}`).toBe("POST /special-events");
    expect(seen.headers.authorization).toBe(`Basic ${Buffer.from("curator:museum-password-1").toString("base64")}`);
    expect(JSON.parse(seen.body.toString("utf8"))).toEqual({
      name: "Ocean Night",
      location: "Hall 2",
      eventDescription: "Whales, after hours",
      dates: ["2024-01-01", "2024-01-02"],
      price: 12.5,
    });
  }, 30_000);

  it("museum-hours list: query flags; a 404 exits 1 with its code; a bad integer exits 2 before any request", async () => {
    respond = (seen, res) => {
      if (seen.url.startsWith("/museum-hours")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify([{ date: "2023-09-11", timeOpen: "09:00", timeClose: "18:00" }]));
      } else {
        res.writeHead(404, { "content-type": "application/problem+json", "request-id": "req_museum_1" });
        res.end(JSON.stringify({ type: "event-not-found", title: "No such event" }));
      }
    };
    const hours = await run(["museum-hours", "list", "--start-date", "2023-09-11", "--limit", "2"], env);
    expect(hours.code, hours.stderr).toBe(0);
    expect(JSON.parse(hours.stdout)).toEqual([{ date: "2023-09-11", timeOpen: "09:00", timeClose: "18:00" }]);
    expect(server.requests.at(-1)?.url).toBe("/museum-hours?startDate=2023-09-11&limit=2");

    const missing = await run(["special-events", "retrieve", "dad4bce8-f5cb-4078-a211-995864315e39"], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("  status: 404");
    expect(missing.stderr).toContain("  request id: req_museum_1");
    expect(missing.stderr).not.toContain("museum-password-1");

    const before = server.requests.length;
    const bad = await run(["museum-hours", "list", "--limit", "two"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--limit must be an integer");
    expect(server.requests.length).toBe(before);
  }, 30_000);
});
