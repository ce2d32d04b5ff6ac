// Types openapi-typescript gets wrong, fixed by the normalize stage: one fixture spec per bug, generated and
// type-checked (strict, skipLibCheck off) with values that must compile and `@ts-expect-error` ones that must not.
import { rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleSpec } from "../scripts/pipeline/bundle.js";
import { loadSpec } from "../scripts/pipeline/load.js";
import { normalizeForTypes } from "../scripts/pipeline/normalize.js";
import { REPO_ROOT, type PipelineResult } from "../scripts/pipeline/run.js";
import { generate, tempPackage, typeCheck, writeFiles } from "./pipeline-harness.js";

const FIXTURES = resolve(REPO_ROOT, "test/fixtures/normalize");

const CHECKS: Record<string, string> = {
  // orval#616: a required readOnly property is not sent, a required writeOnly one is not received.
  "read-write": `
import type { CreateUserBody, CreateUserResponse, GetUserResponse, CreateTeamBody, CreateTeamResponse,
  CreateSessionBody, CreateSessionResponse, CreatePetBody, CreatePetResponse, User } from "./index.js";
export const body: CreateUserBody = { name: "n", password: "p" };
// @ts-expect-error password is required in a request
export const noPassword: CreateUserBody = { name: "n" };
// @ts-expect-error id is readOnly: the request has no such property
export const sentId: CreateUserBody = { id: "u1", name: "n", password: "p" };
export const created: CreateUserResponse = { id: "u1", name: "n" };
export const user: GetUserResponse = { id: "u1", name: "n" };
export const alias: User = user;
// @ts-expect-error id is required in a response
export const noId: GetUserResponse = { name: "n" };
// @ts-expect-error password is writeOnly: the response has no such property
export const gotPassword: GetUserResponse = { id: "u1", name: "n", password: "p" };
export const team: CreateTeamBody = { name: "t", members: [{ name: "m", password: "p" }] };
// @ts-expect-error a member of a team in a request is a user in a request: password is required
export const teamNoPassword: CreateTeamBody = { name: "t", members: [{ name: "m" }] };
export const teamBack: CreateTeamResponse = { name: "t", created: "2024-01-01", members: [{ id: "u1", name: "m" }] };
// @ts-expect-error created (a readOnly component) is required in a response
export const teamNoCreated: CreateTeamResponse = { name: "t", members: [] };
export const session: CreateSessionBody = { secret: "s" };
export const sessionBack: CreateSessionResponse = { token: "t" };
// @ts-expect-error an inline response schema drops its writeOnly property too
export const sessionLeak: CreateSessionResponse = { token: "t", secret: "s" };
export const cat: CreatePetBody = { kind: "cat", lives: 9 };
export const dog: CreatePetBody = { kind: "dog", goodBoy: true };
// @ts-expect-error a cat has lives, not goodBoy
export const badCat: CreatePetBody = { kind: "cat", goodBoy: true };
export const catBack: CreatePetResponse = { kind: "cat", id: "c1", lives: 9 };
// @ts-expect-error a cat in a response has its id
export const catNoId: CreatePetResponse = { kind: "cat", lives: 9 };
`,
  // openapi-typescript#1474: \`required\` in an allOf member names properties another member defines.
  "allof-required": `
import type { Contact, Stored, StoredContact, CreateContactBody } from "./index.js";
export const contact: Contact = { name: "n", email: "e" };
export const body: CreateContactBody = { name: "n", email: "e", id: "1" };
// @ts-expect-error email is required by the second member
export const noEmail: Contact = { name: "n" };
export const stored: Stored = { id: "1", name: "n" };
// @ts-expect-error id is required by the second member
export const noId: Stored = { name: "n" };
// @ts-expect-error id is a string
export const badId: Stored = { id: 1 };
export const both: StoredContact = { id: "1", name: "n", email: "e", tags: [] };
// @ts-expect-error id is required at the top, through two levels of allOf
export const bothNoId: StoredContact = { name: "n", email: "e" };
// @ts-expect-error email is still required, from the inner allOf
export const bothNoEmail: StoredContact = { id: "1", name: "n" };
`,
  // openapi-typescript#1657: properties beside a typed additionalProperties.
  "additional-properties": `
import type { Settings } from "./index.js";
export const settings: Settings = { version: 2, label: "l", beta: true };
export const bare: Settings = { version: 2 };
export const version = (s: Settings): number => s.version;
// @ts-expect-error version is an integer
export const badVersion: Settings = { version: "2" };
// @ts-expect-error other values are booleans (widened to the property types, TypeScript's one index signature)
export const badExtra: Settings = { version: 2, beta: null };
// @ts-expect-error label is a string, even though the index signature admits booleans
export const badLabel: Settings = { version: 2, label: true };
// @ts-expect-error version is required
export const noVersion: Settings = { beta: true };
`,
  // openai.yaml: a property with a \`default\` may be left out of a request (the server fills it in).
  defaults: `
import type { CreateAssistantBody } from "./index.js";
export const minimal: CreateAssistantBody = { model: "gpt" };
export const full: CreateAssistantBody = { model: "gpt", tools: ["t"], temperature: 0.5 };
// @ts-expect-error model has no default: it is required
export const noModel: CreateAssistantBody = { tools: [] };
// @ts-expect-error tools are strings
export const badTools: CreateAssistantBody = { model: "gpt", tools: [1] };
`,
  // openai.yaml: a discriminator without a mapping whose targets pin the property (\`enum: [user]\`, \`const\`).
  "pinned-discriminator": `
import type { SendMessageBody } from "./index.js";
export const user: SendMessageBody = { role: "user", content: "hi" };
export const system: SendMessageBody = { role: "system", content: "be brief" };
// @ts-expect-error the schema's name is not a role
export const byName: SendMessageBody = { role: "UserMessage", content: "hi" };
// @ts-expect-error no such role
export const unknownRole: SendMessageBody = { role: "robot", content: "hi" };
`,
  // a discriminator without a mapping over targets that get request views (\`DogWritable\`), and a schema's own \$defs.
  "discriminator-views": `
import type { CreateAnimalBody, CreateAnimalResponse, CreateBoxBody } from "./index.js";
export const dog: CreateAnimalBody = { petType: "Dog", bark: true };
export const catBack: CreateAnimalResponse = { petType: "Cat", lives: 9, created: "2024" };
// @ts-expect-error the request view's name is not the discriminator's value
export const byViewName: CreateAnimalBody = { petType: "DogWritable", bark: true };
// @ts-expect-error created is readOnly
export const sentCreated: CreateAnimalBody = { petType: "Dog", bark: true, created: "2024" };
export const box: CreateBoxBody = { inner: { size: 2 } };
// @ts-expect-error the inner size is an integer
export const badBox: CreateBoxBody = { inner: { size: "2" } };
`,
  // $refs into a component's interior (PagerDuty's spec): openapi-typescript indexes types that lack those keys.
  "interior-refs": `
import type { Page, GetPageResponse, ListLabelsResponse } from "./index.js";
export const page: Page = { limit: 10, tag: { label: "l" }, first: { label: "f" } };
export const response: GetPageResponse = page;
export const labels: ListLabelsResponse = ["a", "b"];
// @ts-expect-error limit is an integer
export const badLimit: Page = { limit: "10", tag: { label: "l" } };
// @ts-expect-error a tag's label is required
export const badTag: Page = { limit: 10, tag: {} };
// @ts-expect-error labels are strings
export const badLabels: ListLabelsResponse = [1];
`,
};

let root: string;
const results: Record<string, PipelineResult> = {};

beforeAll(async () => {
  root = tempPackage("normalize");
  for (const [name, check] of Object.entries(CHECKS)) {
    results[name] = await generate(join(FIXTURES, `${name}.yaml`), join(root, name));
    writeFileSync(join(root, name, "check.ts"), check);
  }
}, 120_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("normalizeForTypes", () => {
  it("leaves the bundled document as it was, and names hoisted and request-view components after where they came from", async () => {
    const document = await bundleSpec(await loadSpec(join(FIXTURES, "interior-refs.yaml")));
    const before = structuredClone(document);
    const normalized = normalizeForTypes(document) as unknown as { components: { schemas: Record<string, unknown> } };
    expect(document).toEqual(before);
    expect(Object.keys(normalized.components.schemas)).toEqual([
      "Tag",
      "Page",
      "Tag_allOf_0_label",
      "Page_tag",
      "Tag_allOf_0",
      "parameters_Limit_schema",
    ]);
    const views = normalizeForTypes(await bundleSpec(await loadSpec(join(FIXTURES, "read-write.yaml"))));
    expect(Object.keys((views as unknown as typeof normalized).components.schemas)).toEqual(
      expect.arrayContaining(["User", "UserWritable", "TeamWritable", "CatWritable", "PetWritable"]),
    );
    expect(Object.keys((views as unknown as typeof normalized).components.schemas)).not.toContain("DogWritable");
  });
});

describe("type checks of generated code", () => {
  it("count errors inside a .d.ts (skipLibCheck off), where openapi-typescript's mistakes land", async () => {
    const dir = join(root, "broken-dts");
    writeFiles(dir, {
      "schema.d.ts": 'export interface components { schemas: { A: components["schemas"]["B"]["allOf"] } }\n',
      "index.ts": 'import type { components } from "./schema.js";\nexport type A = components["schemas"]["A"];\n',
    });
    expect(await typeCheck(root, ["broken-dts"])).toMatch(/broken-dts\/schema\.d\.ts\(1,\d+\): error TS2339/);
  }, 120_000);
});

describe("normalize: generated types accept every valid value and reject invalid ones", () => {
  it("compiles under tsc --strict with skipLibCheck off, and every type assertion holds", async () => {
    expect(await typeCheck(root, Object.keys(CHECKS))).toBe("");
  }, 120_000);
});
