// The `flora` command line as a child process against the Flora-compatible test server on 127.0.0.1.
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../scripts/pipeline/run.js";
import { signWebhook, startFloraTestServer, type FloraTestServer } from "../src/testing/index.js";

const BIN = resolve(REPO_ROOT, "src/cli/bin.ts");
const TECHNIQUE = "art-directors-critique";

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Running {
  done: Promise<Finished>;
  stderr(): string;
  kill(signal: NodeJS.Signals): void;
}

/** `flora …args` under tsx, stdout not a terminal; `env` over a clean FLORA_* environment. */
function flora(args: string[], env: Record<string, string> = {}, stdin = ""): Running {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("FLORA_")));
  const child = spawn(process.execPath, ["--import", "tsx", BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...base, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  child.stdin.end(stdin);
  return {
    done: new Promise((resolvePromise, reject) => {
      child.on("error", reject);
      child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
    }),
    stderr: () => stderr,
    kill: (signal) => child.kill(signal),
  };
}

describe("flora command line", () => {
  let server: FloraTestServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    server = await startFloraTestServer({ runDurationMs: 600 });
    env = { FLORA_API_KEY: server.apiKey, FLORA_BASE_URL: server.url };
  });
  afterAll(() => server.close());

  it("techniques runs create --input … --wait --json prints the completed run, and faults never start a second run", async () => {
    server.reset();
    // a reset after the server created the run, then a 503: the SDK retries the same create with the same key
    server.injectFaults("reset-after-commit", "status-503");
    const { code, stdout, stderr } = await flora(
      [
        "techniques",
        "runs",
        "create",
        TECHNIQUE,
        "--input",
        "image=imageUrl:https://images.example/lighthouse.png",
        "--input",
        'brief=text:"Warm light, gouache"',
        "--wait",
        "--poll-interval",
        "100",
        "--json",
      ],
      env,
    ).done;
    expect(code, stderr).toBe(0);
    const run = JSON.parse(stdout) as { run_id: string; status: string; progress: number; outputs: unknown[] };
    expect(run).toMatchObject({ status: "completed", progress: 1 });
    expect(run.outputs.length).toBeGreaterThan(0);
    expect(server.stats().runsCreated).toBe(1);
    expect(server.stats().faults).toMatchObject({ "reset-after-commit": 1, "status-503": 1 });
    const [stored] = server.runs();
    expect(stored.run.run_id).toBe(run.run_id);
    expect(stored.idempotencyKey).toBeDefined();
    const { idempotency_key: _twin, ...sent } = stored.body;
    expect(sent).toEqual({
      mode: "async",
      inputs: [
        { id: "image", type: "imageUrl", value: "https://images.example/lighthouse.png" },
        { id: "brief", type: "text", value: '"Warm light, gouache"' },
      ],
    });
  });

  it("takes the body from --body - (stdin), with a flag over one of its fields", async () => {
    server.reset();
    const body = { inputs: [{ id: "prompt", type: "text", value: "from stdin" }], mode: "stream" };
    const { code, stdout } = await flora(
      ["techniques", "runs", "create", TECHNIQUE, "--body", "-", "--mode", "async"],
      env,
      JSON.stringify(body),
    ).done;
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ status: "pending" });
    expect(server.runs()[0].body).toMatchObject({ ...body, mode: "async" });
  });

  it("--input: a type prefix sets the type, a URL with no prefix is text", async () => {
    server.reset();
    const args = ["--input", "image=imageUrl:https://example.com/a.png", "--input", "brief=https://example.com/b"];
    const { code } = await flora(["techniques", "runs", "create", TECHNIQUE, ...args], env).done;
    expect(code).toBe(0);
    expect(server.runs()[0].body).toMatchObject({
      inputs: [
        { id: "image", type: "imageUrl", value: "https://example.com/a.png" },
        { id: "brief", type: "text", value: "https://example.com/b" },
      ],
    });
  });

  it("a wrong key exits 1 with the code and request id on stderr, and never prints the key", async () => {
    const key = "sk_wrong_key_0123456789";
    const { code, stdout, stderr } = await flora(["techniques", "list", "--api-key", key], env).done;
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^ {2}code: invalid_api_key$/m);
    expect(stderr).toMatch(/^ {2}request id: req_\w+$/m);
    expect(stderr).not.toContain(key);
  });

  it.each([
    [["techniques", "list", "--limit", "ten"], /--limit must be an integer, not "ten"/],
    [["techniques", "list", "--limit", "99999999999999999999"], /--limit must be an integer from -9007199254740991 to/],
    [["techniques", "list", "--bogus"], /unknown option '--bogus'/],
    [["techniques", "runs", "retrieve", TECHNIQUE], /missing required argument 'runId'/],
    [
      ["techniques", "runs", "create", TECHNIQUE, "--mode", "sync", "--input", "prompt=x"],
      /Allowed choices are async, stream/,
    ],
    [["techniques", "runs", "create", TECHNIQUE], /missing --input <id>=\[<type>:\]<value>/],
    [
      ["techniques", "runs", "create", TECHNIQUE, "--input", "no-equals-sign"],
      /--input "no-equals-sign" must be <id>=/,
    ],
    [["techniques", "runs", "create", TECHNIQUE, "--body", "{not json"], /--body must be JSON/],
    // a stream answer is not JSON: the run must not start (no lost runs)
    [
      ["techniques", "runs", "create", TECHNIQUE, "--mode", "stream", "--input", "prompt=x"],
      /mode "stream": stream is not supported/,
    ],
    [
      ["techniques", "runs", "create", TECHNIQUE, "--mode", "stream", "--input", "prompt=x", "--wait"],
      /mode "stream": stream is not supported/,
    ],
    [
      [
        "techniques",
        "runs",
        "create",
        TECHNIQUE,
        "--body",
        '{"mode":"stream","inputs":[{"id":"p","type":"text","value":"x"}]}',
      ],
      /mode "stream": stream is not supported/,
    ],
    [["techniques", "runs", "create", TECHNIQUE, "--body", "[1,2]"], /--body must be a JSON object, not an array/],
    [["techniques", "runs", "create", TECHNIQUE, "--body", "null"], /--body must be a JSON object, not null/],
    [
      ["techniques", "runs", "create", TECHNIQUE, "--input", "x=audio:y"],
      /"audio" is not an input type; the types are text, imageUrl, videoUrl/,
    ],
    [
      ["techniques", "runs", "create", TECHNIQUE, "--input", "image=imageurl:https://example.com/a.png"],
      /"imageurl" is not an input type; the types are text, imageUrl, videoUrl/,
    ],
    [["techniques", "runs", "wait", "run_1"], /required option '--technique <string>' not specified/],
    [["techniques"], /Usage: flora techniques/],
  ])("bad usage %j exits 2 before any request", async (args, message) => {
    server.reset();
    const { code, stderr } = await flora(args, env).done;
    expect(stderr).toMatch(message);
    expect(code).toBe(2);
    expect(server.stats().requests).toBe(0);
  });

  it("a missing key is a usage error naming --api-key and FLORA_API_KEY", async () => {
    const { code, stderr } = await flora(["techniques", "list"], { FLORA_BASE_URL: server.url }).done;
    expect(code).toBe(2);
    expect(stderr).toContain("pass --api-key or set the FLORA_API_KEY environment variable");
  });

  it("Ctrl-C during --wait aborts, prints the run id and how to resume, exit 130", async () => {
    const slow = await startFloraTestServer({ runDurationMs: 60_000 });
    try {
      const child = flora(["techniques", "runs", "create", TECHNIQUE, "--input", "prompt=hi", "--wait"], {
        FLORA_API_KEY: slow.apiKey,
        FLORA_BASE_URL: slow.url,
      });
      const deadline = Date.now() + 20_000;
      while (slow.stats().runsCreated === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(slow.stats().runsCreated).toBe(1);
      await new Promise((r) => setTimeout(r, 200)); // the create's answer reaches the child, which starts polling
      child.kill("SIGINT");
      const { code, stderr } = await child.done;
      const runId = slow.runs()[0].run.run_id;
      expect(stderr).toContain(`Run ${runId} was started and goes on on the server.`);
      expect(stderr).toContain(`Resume with: flora techniques runs wait ${runId} --technique ${TECHNIQUE}`);
      expect(code).toBe(130);
    } finally {
      await slow.close();
    }
  });

  it("techniques runs wait <runId> --technique polls a run to its end", async () => {
    server.reset();
    const created = await flora(["techniques", "runs", "create", TECHNIQUE, "--input", "prompt=hi"], env).done;
    const { run_id } = JSON.parse(created.stdout) as { run_id: string };
    const { code, stdout, stderr } = await flora(
      ["techniques", "runs", "wait", run_id, "--technique", TECHNIQUE, "--poll-interval", "100"],
      env,
    ).done;
    expect(code).toBe(0);
    // not a terminal: one plain line per change on stderr, stdout only the run
    expect(stderr).toMatch(new RegExp(`^(${run_id} (pending|running) \\d+%\n)*${run_id} completed 100%\n$`));
    expect(JSON.parse(stdout)).toMatchObject({ run_id, status: "completed" });
  });

  it("webhooks verify checks the signature over stdin and prints the event; a wrong one exits 1, the secret unprinted", async () => {
    const payload = JSON.stringify({
      id: "whd_1",
      type: "run.completed",
      api_version: "2026-06-11",
      created_at: Date.now(),
      data: { run_id: "run_1", run_type: "technique", workspace_id: "ws_test", status: "completed" },
    });
    const signature = signWebhook(server.webhookSecret, payload, Math.floor(Date.now() / 1000));
    const ok = await flora(
      ["webhooks", "verify", "--secret", server.webhookSecret, "--signature", signature],
      {},
      payload,
    ).done;
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual(JSON.parse(payload));

    const bad = await flora(
      ["webhooks", "verify", "--signature", signature],
      { FLORA_WEBHOOK_SECRET: "whsec_another_secret_42" },
      payload,
    ).done;
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("WebhookVerificationError: No Flora-Signature v1 signature matched the body");
    expect(bad.stderr).not.toContain("whsec_another_secret_42");
  });
});
