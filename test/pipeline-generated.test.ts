// The committed generated/ output: compiles under tsc --strict and the stricter common flags, and its create/retrieve wrappers talk to a real loopback server.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createResources, idempotency, operationDescriptors } from "../generated/index.js";
import { REPO_ROOT } from "../scripts/pipeline/run.js";
import {
  exampleOf,
  follow,
  loopbackRuntime,
  sendJson,
  startServer,
  typeCheckStrictest,
  type LoopbackServer,
} from "./pipeline-harness.js";

type Json = Record<string, unknown>;
const spec = parse(readFileSync(resolve(REPO_ROOT, "openapi/flora.yaml"), "utf8")) as Json;
const operation = (path: string, method: string) => ((spec.paths as Json)[path] as Json)[method] as Json;
const createOp = operation("/techniques/{techniqueId}/runs", "post");
const retrieveOp = operation("/techniques/{techniqueId}/runs/{runId}", "get");
const jsonOf = (holder: unknown) => ((follow(spec, holder) as Json).content as Json)["application/json"];

// The spec's own examples: what the seed page documents as request and responses.
const requestExample = exampleOf(spec, jsonOf(createOp.requestBody)) as Json;
const createdExample = exampleOf(
  spec,
  jsonOf(Object.entries(createOp.responses as Json).find(([status]) => status.startsWith("2"))?.[1]),
) as Json;
const retrievedExample = exampleOf(spec, jsonOf((retrieveOp.responses as Json)["200"])) as Json;

let server: LoopbackServer;

beforeAll(async () => {
  server = await startServer((seen, res) =>
    seen.method === "POST" ? sendJson(res, 200, createdExample) : sendJson(res, 200, retrievedExample),
  );
});

afterAll(async () => {
  await server?.close();
});

describe("generated/ (openapi/flora.yaml)", () => {
  it("compiles under tsc --strict --noEmit and the stricter common flags (exactOptionalPropertyTypes, noPropertyAccessFromIndexSignature, …) together with the runtime", async () => {
    expect(await typeCheckStrictest(REPO_ROOT, ["generated"])).toBe("");
  }, 120_000);

  it("exposes the contract names and an idempotency descriptor read from the spec", () => {
    expect(Object.keys(operationDescriptors)).toEqual([
      "listTechniques",
      "retrieveTechnique",
      "createTechniqueRun",
      "retrieveTechniqueRun",
    ]);
    expect(idempotency.createTechniqueRun).toMatchObject({ header: "Idempotency-Key", windowSeconds: 7200 });
  });

  it("techniques.runs.create sends the documented request with one Idempotency-Key and resolves with the documented run", async () => {
    const api = createResources(loopbackRuntime(`${server.origin}/api/v1`));
    const run = await api.techniques.runs.create("art-directors-critique", requestExample as never, {
      idempotencyKey: "key-1",
    });
    expect(run).toEqual(createdExample);
    const sent = server.requests[server.requests.length - 1];
    expect(sent).toMatchObject({ method: "POST", url: "/api/v1/techniques/art-directors-critique/runs" });
    expect(sent.headers["idempotency-key"]).toBe("key-1");
    expect(JSON.parse(sent.body.toString("utf8"))).toMatchObject(requestExample);
  });

  it("techniques.runs.retrieve fills both path parameters and resolves with the documented run", async () => {
    const api = createResources(loopbackRuntime(`${server.origin}/api/v1`));
    await expect(api.techniques.runs.retrieve("art-directors-critique", "run_abc123")).resolves.toEqual(
      retrievedExample,
    );
    expect(server.requests[server.requests.length - 1]).toMatchObject({
      method: "GET",
      url: "/api/v1/techniques/art-directors-critique/runs/run_abc123",
    });
  });
});
