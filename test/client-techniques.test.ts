// flora.techniques.list/retrieve and createAndWait's checkInputs, end to end against the Flora test server.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import {
  APIUserAbortError,
  Flora,
  InternalServerError,
  NotFoundError,
  ValidationError,
  type ListTechniquesItem,
} from "../src/index.js";
import {
  DEFAULT_TECHNIQUES,
  startFloraTestServer,
  type FloraTestServer,
  type TestTechnique,
} from "../src/testing/index.js";
import { PaginationError } from "../src/runtime/index.js";
import { failOnUnhandledRejections } from "./client-server.js";

let server: FloraTestServer | undefined;
failOnUnhandledRejections();
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const noSleep = async () => {};

async function setup(techniques?: (string | TestTechnique)[], faults = false) {
  server = await startFloraTestServer({
    runDurationMs: 0,
    ...(techniques ? { techniques } : {}),
    ...(faults ? { faults: { rate: 0, routes: ["techniques" as const] } } : {}),
  });
  const flora = new Flora({ apiKey: server.apiKey, baseUrl: server.url, sleep: noSleep, logLevel: "off" });
  return { flora, server };
}

/** Path and query of each request on a route, in order. */
const sent = (s: FloraTestServer, route: string) =>
  s
    .requests()
    .filter((r) => r.route === route)
    .map((r) => r.path);

/** Flora's cursor form: base64 of {"offset":N}, unpadded. */
const cursor = (offset: number) => Buffer.from(JSON.stringify({ offset })).toString("base64").replace(/=+$/, "");

describe("flora.techniques.list", () => {
  it("iterates every technique across pages, each page asked for with the previous page's next_cursor", async () => {
    const { flora, server } = await setup();
    const ids: string[] = [];
    for await (const technique of flora.techniques.list({ query: { limit: 2 } })) {
      const item: ListTechniquesItem = technique;
      ids.push(item.technique_id);
    }
    expect(ids).toEqual(DEFAULT_TECHNIQUES.map((t) => `tech_${t.id}`));
    expect(sent(server, "techniques")).toEqual([
      "/api/v1/techniques?limit=2",
      `/api/v1/techniques?limit=2&cursor=${cursor(2)}`,
      `/api/v1/techniques?limit=2&cursor=${cursor(4)}`,
    ]);
    // every page request is authenticated like any other call
    expect(server.requests().every((r) => r.status === 200)).toBe(true);
  });

  it("awaits to the first page, and .pages() yields whole pages with Flora's meta", async () => {
    const { flora } = await setup();
    const first = await flora.techniques.list({ query: { limit: 3, query: "c" } });
    expect(first.techniques.map((t) => t.name)).toEqual(["Art Director's Critique", "CCTV Cam", "Character Lock"]);
    expect(first.meta).toEqual({ next_cursor: null, total_estimate: 3 });
    const sizes: number[] = [];
    for await (const page of flora.techniques.list({ query: { limit: 4 } }).pages()) sizes.push(page.techniques.length);
    expect(sizes).toEqual([4, 1]);
  });

  it("retries a page that failed, and stops at the caller's abort", async () => {
    const { flora, server } = await setup(undefined, true);
    const walked: string[] = [];
    const list = flora.techniques.list({ query: { limit: 2 } });
    for await (const page of list.pages()) {
      walked.push(...page.techniques.map((t) => t.technique_id));
      if (walked.length === 2) server.injectFaults("status-503");
    }
    expect(walked).toHaveLength(5);
    expect(server.requests().map((r) => [r.path.replace(/cursor=.*/, "cursor=…"), r.fault])).toEqual([
      ["/api/v1/techniques?limit=2", undefined],
      ["/api/v1/techniques?limit=2&cursor=…", "status-503"],
      ["/api/v1/techniques?limit=2&cursor=…", undefined],
      ["/api/v1/techniques?limit=2&cursor=…", undefined],
    ]);

    const controller = new AbortController();
    const aborted = await (async () => {
      for await (const technique of flora.techniques.list({ query: { limit: 2 } }, { signal: controller.signal })) {
        if (technique.technique_id === "tech_auto-translate") controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(aborted).toBeInstanceOf(APIUserAbortError);
  });

  it("a page that fails mid-walk says which page and query, so the walk resumes there; maxPages caps a walk", async () => {
    const { flora, server } = await setup(undefined, true);
    const ids: string[] = [];
    const failed = await (async () => {
      for await (const technique of flora.techniques.list({ query: { limit: 2 } }, { maxRetries: 0 })) {
        ids.push(technique.technique_id);
        if (ids.length === 2) server.injectFaults("status-500");
      }
    })().catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(InternalServerError);
    expect(failed).toMatchObject({ status: 500, page: 2, pageQuery: { limit: 2, cursor: cursor(2) } });
    for await (const technique of flora.techniques.list({ query: (failed as InternalServerError).pageQuery }))
      ids.push(technique.technique_id);
    expect(ids).toEqual(DEFAULT_TECHNIQUES.map((t) => `tech_${t.id}`));

    const capped = await (async () => {
      for await (const page of flora.techniques.list({ query: { limit: 1 } }, { maxPages: 2 }).pages())
        expect(page.techniques).toHaveLength(1);
    })().catch((e: unknown) => e);
    expect(capped).toBeInstanceOf(PaginationError);
    expect(capped).toMatchObject({ page: 3, pageQuery: { limit: 1, cursor: cursor(2) } });
  });

  it("a bad limit is Flora's 400 input_validation_error", async () => {
    const { flora } = await setup();
    await expect(flora.techniques.list({ query: { limit: 101 } })).rejects.toMatchObject({
      status: 400,
      code: "input_validation_error",
      fields: [{ field: "limit", message: "Must be an integer from 1 to 100." }],
    });
  });
});

describe("flora.techniques.retrieve", () => {
  it("returns what inputs a technique takes, by slug or technique_id; an unknown id is Flora's 404", async () => {
    const { flora, server } = await setup();
    const technique = await flora.techniques.retrieve("art-directors-critique");
    expect(technique.inputs).toEqual([
      { id: "image", name: "Image", type: "imageUrl" },
      { id: "brief", name: "Brief", type: "text", optional: true },
    ]);
    expect(await flora.techniques.retrieve("tech_art-directors-critique")).toEqual(technique);
    const missing = await flora.techniques.retrieve("no-such-technique").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ status: 404, code: "not_found" });
    expect((missing as NotFoundError).message).toContain("Technique no-such-technique was not found.");
    await expect(flora.techniques.retrieve("")).rejects.toThrow(ValidationError);
    expect(server.requests()).toHaveLength(3);
  });
});

describe("createAndWait with checkInputs", () => {
  const critique = "art-directors-critique";

  it("refuses inputs the technique does not declare, naming each, and starts no run", async () => {
    const { flora, server } = await setup();
    const error = await flora.techniques.runs
      .createAndWait(
        critique,
        {
          inputs: [
            { id: "brief", type: "imageUrl", value: "https://example.com/a.png" },
            { id: "colour", type: "text", value: "red" },
            { id: "brief", type: "text", value: "again" },
          ],
          mode: "async",
        },
        { checkInputs: true },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe("inputs[0].type");
    expect((error as ValidationError).message).toBe(
      [
        "The inputs do not fit technique art-directors-critique (Art Director's Critique); no run was started:",
        '- inputs[0].type is "imageUrl", but input "brief" takes text',
        '- inputs[1].id "colour" is not an input of this technique',
        '- inputs[2].id repeats inputs[0]; input "brief" takes one value',
        '- inputs lack required input "image" (imageUrl)',
        "It accepts: image (imageUrl, required), brief (text, optional).",
      ].join("\n"),
    );
    expect(server.runs()).toEqual([]);
    expect(server.requests().map((r) => `${r.method} ${r.path}`)).toEqual([`GET /api/v1/techniques/${critique}`]);
  });

  it("starts exactly one run for valid inputs, fetching the technique once per client", async () => {
    const { flora, server } = await setup();
    const body = {
      inputs: [{ id: "image", type: "imageUrl" as const, value: "https://example.com/a.png" }],
      mode: "async" as const,
    };
    const done = await flora.techniques.runs.createAndWait(critique, body, { checkInputs: true, intervalMs: 1 });
    expect(done.status).toBe("completed");
    expect(server.runs()).toHaveLength(1);
    // a second call and two concurrent ones reuse the first fetch
    await Promise.all([
      flora.techniques.runs.createAndWait(critique, body, { checkInputs: true, intervalMs: 1 }),
      flora.techniques.runs.createAndWait(critique, body, { checkInputs: true, intervalMs: 1 }),
    ]);
    expect(server.runs()).toHaveLength(3);
    expect(sent(server, "techniques")).toEqual([`/api/v1/techniques/${critique}`]);
  });

  it("concurrent first calls share one fetch; a failed fetch is not kept", async () => {
    const { flora, server } = await setup(
      [{ id: "upscale", inputs: [{ id: "image", name: "Image", type: "imageUrl" }] }],
      true,
    );
    const body = {
      inputs: [{ id: "image", type: "imageUrl" as const, value: "https://x.test/a.png" }],
      mode: "async" as const,
    };
    server.injectFaults("status-500");
    const failed = await flora.techniques.runs
      .createAndWait("upscale", body, { checkInputs: true, maxRetries: 0 })
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(InternalServerError);
    expect(server.runs()).toEqual([]);
    const [a, b] = await Promise.all([
      flora.techniques.runs.createAndWait("upscale", body, { checkInputs: true, intervalMs: 1 }),
      flora.techniques.runs.createAndWait("upscale", body, { checkInputs: true, intervalMs: 1 }),
    ]);
    expect([a.status, b.status]).toEqual(["completed", "completed"]);
    expect(sent(server, "techniques")).toEqual(["/api/v1/techniques/upscale", "/api/v1/techniques/upscale"]);
    expect(server.runs()).toHaveLength(2);
  });

  it("an unknown technique is its 404, before any run; without checkInputs nothing is fetched", async () => {
    const { flora, server } = await setup(["upscale"]);
    const body = { inputs: [{ id: "colour", type: "text" as const, value: "red" }], mode: "async" as const };
    await expect(flora.techniques.runs.createAndWait("nope", body, { checkInputs: true })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(server.runs()).toEqual([]);
    // the server itself does not check inputs, so the refusal above was the client's own
    const run = await flora.techniques.runs.createAndWait("upscale", body, { intervalMs: 1 });
    expect(run.status).toBe("completed");
    expect(sent(server, "techniques")).toEqual(["/api/v1/techniques/nope"]);
  });
});

// Every README example that calls createAndWait, run as written but with `checkInputs: true` forced on every
// createAndWait, against the default test server (`new Flora()` reads FLORA_API_KEY and FLORA_BASE_URL).
describe("README examples with checkInputs against the default test server", () => {
  const repo = resolve(fileURLToPath(new URL("..", import.meta.url)));

  /** ```ts blocks that call createAndWait, each with the heading it sits under. */
  function readmeBlocks(): { heading: string; code: string }[] {
    const blocks: { heading: string; code: string }[] = [];
    let heading = "";
    let open: string[] | undefined;
    for (const line of readFileSync(join(repo, "README.md"), "utf8").split(/\r?\n/)) {
      if (open !== undefined) {
        if (line.trim() === "```") {
          blocks.push({ heading, code: open.join("\n") });
          open = undefined;
        } else open.push(line);
      } else if (/^```(ts|typescript)\b/.test(line)) open = [];
      else if (/^#{2,4} /.test(line)) heading = line.replace(/^#+ /, "");
    }
    return blocks.filter((block) => block.code.includes("createAndWait("));
  }

  // Forces checkInputs and reports each createAndWait's outcome on stderr, one JSON line each.
  const shim = (sdk: string) => `
import { Flora as SdkFlora } from ${JSON.stringify(sdk)};
export * from ${JSON.stringify(sdk)};
export class Flora extends SdkFlora {
  constructor(...args: ConstructorParameters<typeof SdkFlora>) {
    super(...args);
    const runs = this.techniques.runs;
    const createAndWait = runs.createAndWait.bind(runs);
    runs.createAndWait = async (techniqueId, body, options) => {
      const report = (outcome: string) =>
        process.stderr.write("readme-run " + JSON.stringify({ techniqueId, outcome, checkInputs: true }) + "\\n");
      try {
        const run = await createAndWait(techniqueId, body, { ...options, checkInputs: true });
        report(run.status + " " + (run.outputs ?? []).map((output) => output.type).join(","));
        return run;
      } catch (error) {
        report((error as Error).name + ": " + (error as Error).message);
        throw error;
      }
    };
  }
}
`;

  const blocks = readmeBlocks();

  it("covers the quick start", () => {
    expect(blocks.map((block) => block.heading)).toContain("Quick start: start a run, wait, read the outputs");
  });

  it.each(blocks.map((block, index) => ({ ...block, index, number: index + 1 })))(
    "README block $number under “$heading” passes checkInputs",
    async ({ code, index }) => {
      const { server } = await setup();
      const directory = mkdtempSync(join(tmpdir(), "flora-readme-"));
      try {
        writeFileSync(join(directory, "flora-sdk.mts"), shim(join(repo, "src/index.ts")));
        const script = join(directory, `block-${index}.mts`);
        writeFileSync(
          script,
          `${code
            .replaceAll('from "flora-sdk/testing"', `from ${JSON.stringify(join(repo, "src/testing/index.ts"))}`)
            .replaceAll('from "flora-sdk"', 'from "./flora-sdk.mts"')}\nexport {};\n`,
        );
        const child = spawn(process.execPath, ["--import", "tsx", script], {
          cwd: repo,
          env: { ...process.env, FLORA_API_KEY: server.apiKey, FLORA_BASE_URL: server.url, FLORA_LOG: "off" },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        const exitCode = await new Promise<number | null>((done) => {
          const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
          child.on("exit", (status) => {
            clearTimeout(timer);
            done(status);
          });
        });
        const outcomes = stderr
          .split("\n")
          .filter((line) => line.startsWith("readme-run "))
          .map((line) => JSON.parse(line.slice("readme-run ".length)) as { techniqueId: string; outcome: string });
        expect(exitCode, `${stdout}\n${stderr}`).toBe(0);
        expect(outcomes.length, stderr).toBeGreaterThan(0);
        for (const { techniqueId, outcome } of outcomes) {
          // a run ends completed or failed; only the README's deliberately unknown id may be Flora's 404
          if (techniqueId === "no-such-technique") expect(outcome).toMatch(/^NotFoundError: /);
          else expect(outcome, techniqueId).toMatch(/^(completed|failed) /);
        }
        // a completed run's outputs are the technique's declared outputs (art-directors-critique: one text output)
        for (const { techniqueId, outcome } of outcomes)
          if (techniqueId === "art-directors-critique") expect(outcome).toBe("completed text");
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
