// Method names a person would choose: the naming report of every shared spec is pinned under
// test/fixtures/naming/reports (a name change shows as a diff), small fixtures pin each rule, and the
// name-override file's errors name the file, line and entry.
// `UPDATE_NAMING_REPORTS=1 npx vitest run test/naming-rules.test.ts` rewrites the pinned reports.
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PipelineError } from "../scripts/pipeline/errors.js";
import { lowerCamel, nameWords } from "../scripts/pipeline/model/names.js";
import { MAX_METHOD_LENGTH, MAX_RESOURCE_DEPTH } from "../scripts/pipeline/model/resources.js";
import { formatNamingReport, namingModel, namingRows, type NamingRow } from "../scripts/pipeline/names-report.js";
import { REPO_ROOT } from "../scripts/pipeline/run.js";
import {
  generate,
  importGenerated,
  SHARED_SPECS,
  SHARED_SPECS_MISSING,
  startServer,
  tempPackage,
  type LoopbackServer,
} from "./pipeline-harness.js";

const FIXTURES = resolve(REPO_ROOT, "test/fixtures/naming");
const REPORTS = join(FIXTURES, "reports");
const UPDATE = process.env.UPDATE_NAMING_REPORTS === "1";

/** The root documents under ../shared/specs and one folder down (DigitalOcean's `$ref`'d parts are not roots). */
function sharedSpecs(): string[] {
  const roots: string[] = [];
  const visit = (folder: string, depth: number) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(folder, entry.name);
      if (entry.isDirectory() && depth === 0) visit(path, 1);
      else if (entry.isFile() && /\.(ya?ml|json)$/.test(entry.name)) {
        if (/^\s{0,2}"?openapi"?\s*:/m.test(readFileSync(path, "utf8"))) roots.push(path);
      }
    }
  };
  visit(SHARED_SPECS, 0);
  return roots;
}

const reportFile = (spec: string) => join(REPORTS, `${relative(SHARED_SPECS, spec)}.txt`);
const methodOf = (row: NamingRow) => row.name.split(".").pop() as string;
const segmentsOf = (path: string) =>
  path
    .split(/[?#]/)[0]
    .split("/")
    .filter(Boolean)
    .map((s) => s.replace(/\.(json|xml|ics|csv)$/i, ""));
const VERSION = /^(v\d+([._-]?\d+)*([._-]?(alpha|beta)\d*)?|\d+([._-]\d+)*)$/i;

/**
 * A raw operationId fallback: the method name (less a collision number) is the whole operationId camel-cased
 * (`postCustomersCustomer`, `modifyAssistant`, `saveTracksUser`), and that operationId is more than one word.
 */
function isRawFallback(row: NamingRow): boolean {
  if (!row.operationId || nameWords(row.operationId).length < 2) return false;
  return methodOf(row).replace(/\d+$/, "").toLowerCase() === lowerCamel(row.operationId).toLowerCase();
}

describe.skipIf(Boolean(SHARED_SPECS_MISSING))("naming report of every spec in ../shared/specs", () => {
  const specs = SHARED_SPECS_MISSING ? [] : sharedSpecs();
  const rows = new Map<string, NamingRow[]>();
  let totalMs = 0;

  afterAll(() => {
    if (specs.length) console.log(`naming reports of ${specs.length} specs computed in ${totalMs.toFixed(0)} ms`);
  });

  it("finds the roots: DigitalOcean's, the OAI examples, Flora's published one, and the single files", () => {
    const names = specs.map((s) => relative(SHARED_SPECS, s));
    expect(names).toEqual(
      expect.arrayContaining([
        "box.json",
        "digitalocean/DigitalOcean-public.v2.yaml",
        "flora-published/technique-runs.yml",
        "museum.yaml",
        "oai/v3.0-petstore.json",
        "openai.yaml",
        "simple-example.yaml",
        "spotify.yml",
        "stripe-2023-09-12.yaml",
      ]),
    );
    expect(names).not.toContain("digitalocean/description.yml");
  });

  it.each(specs.map((s) => [relative(SHARED_SPECS, s), s]))(
    "%s: the report matches the pinned one",
    async (name, spec) => {
      const started = performance.now();
      const model = await namingModel(spec);
      totalMs += performance.now() - started;
      rows.set(name, namingRows(model));
      const report = formatNamingReport(model, name.split("/").pop() as string);
      const file = reportFile(spec);
      if (UPDATE) {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, report);
      }
      expect(existsSync(file), `${relative(REPO_ROOT, file)} is missing: run with UPDATE_NAMING_REPORTS=1`).toBe(true);
      expect(report).toBe(readFileSync(file, "utf8"));
    },
    60_000,
  );

  // Independent of the model's verb lists: a POST to a static segment after an item, where the segment is no
  // plural noun, nothing continues below it and nothing reads it (no GET on the path), creates nothing: it is
  // an action (`disconnect`, `verify_microdeposits`, `set_reader_display`), never `.create`.
  it("no POST on a lone, unread, non-plural segment after an item is a `.create`", () => {
    const wrong: string[] = [];
    for (const [spec, list] of rows) {
      const keyOf = (path: string) => segmentsOf(path.split("#")[0]).join("/");
      const gets = new Set(list.filter((r) => r.method === "GET").map((r) => keyOf(r.path)));
      const keys = list.map((r) => keyOf(r.path));
      for (const row of list) {
        const segments = segmentsOf(row.path.split("#")[0]);
        const last = segments[segments.length - 1] ?? "";
        const afterItem = segments.length > 1 && segments[segments.length - 2].includes("{");
        const key = keyOf(row.path);
        const lastWord = last.split(/[_-]|(?=[A-Z])/).pop() ?? "";
        const pluralNoun = /[^su]s$/i.test(lastWord);
        const continued = keys.some((k) => k.startsWith(`${key}/`));
        if (row.method !== "POST" || !afterItem || last.includes("{") || pluralNoun || continued || gets.has(key))
          continue;
        if (methodOf(row) === "create") wrong.push(`${spec}: ${row.name} ${row.method} ${row.path}`);
      }
    }
    expect(wrong).toEqual([]);
    expect([...rows.values()].flat().filter((r) => r.rule === "action").length).toBeGreaterThan(100);
  });

  it("no name carries a file extension or a version namespace", () => {
    const wrong: string[] = [];
    for (const [spec, list] of rows)
      for (const row of list) {
        const parts = row.name.split(".");
        if (parts.some((p) => /(Json|Ics|Xml|Csv)$/.test(p))) wrong.push(`${spec}: ${row.name} (extension)`);
        // A version segment stays only where it is the path's one static segment (`GET /v2` beside `GET /`).
        const statics = segmentsOf(row.path).filter((s) => !s.includes("{"));
        const onlyVersion = statics.length > 0 && statics.every((s) => VERSION.test(s));
        if (!onlyVersion && parts.some((p) => /^(_\d+|v\d+)$/.test(p))) wrong.push(`${spec}: ${row.name} (version)`);
      }
    expect(wrong).toEqual([]);
  });

  it.each(["openai.yaml", "stripe-2023-09-12.yaml"])("%s has no raw operationId fallbacks", (spec) => {
    const list = rows.get(spec) ?? [];
    expect(list.length).toBeGreaterThan(200);
    expect(list.filter(isRawFallback).map((r) => `${r.name} ← ${r.operationId}`)).toEqual([]);
  });

  it(`every method name is at most ${MAX_METHOD_LENGTH} characters and every resource at most ${MAX_RESOURCE_DEPTH} levels deep`, () => {
    const all = [...rows.values()].flat();
    expect(all.filter((r) => methodOf(r).length > MAX_METHOD_LENGTH).map((r) => r.name)).toEqual([]);
    expect(all.filter((r) => r.name.split(".").length - 1 > MAX_RESOURCE_DEPTH).map((r) => r.name)).toEqual([]);
  });

  it("Flora's published description keeps Flora's names", () => {
    expect(rows.get("flora-published/technique-runs.yml")?.map((r) => r.name)).toEqual([
      "techniques.runs.create",
      "techniques.runs.retrieve",
    ]);
  });
});

async function names(fixture: string): Promise<string[]> {
  return namingRows(await namingModel(join(FIXTURES, fixture))).map((r) => `${r.method} ${r.path} ${r.name}`);
}

describe("naming rules on small fixtures", () => {
  it("lowerCamel keeps acronyms whole and lowercases one that starts the name", () => {
    expect(["SIP", "SIPDomains", "getURLs", "fine_tuning", "top-tracks", "Accounts", "2fa"].map(lowerCamel)).toEqual([
      "sip",
      "sipDomains",
      "getURLs",
      "fineTuning",
      "topTracks",
      "accounts",
      "2fa",
    ]);
  });

  it("Flora: techniques.list and .retrieve, techniques.runs.create, its stream twin and techniques.runs.retrieve", async () => {
    const model = await namingModel(join(REPO_ROOT, "openapi/flora.yaml"));
    expect(namingRows(model).map((r) => r.name)).toEqual([
      "techniques.list",
      "techniques.retrieve",
      "techniques.runs.create",
      "techniques.runs.createStream",
      "techniques.runs.retrieve",
    ]);
  });

  it("Twilio: the date version and `.json` leave the names, `{Sid}.json` is an item, SIP stays whole", async () => {
    expect(await names("twilio.yaml")).toEqual([
      "GET /2010-04-01/Accounts.json accounts.list",
      "POST /2010-04-01/Accounts.json accounts.create",
      "GET /2010-04-01/Accounts/{Sid}.json accounts.retrieve",
      "POST /2010-04-01/Accounts/{Sid}.json accounts.update",
      "GET /2010-04-01/Accounts/{AccountSid}/Messages.json accounts.messages.list",
      "POST /2010-04-01/Accounts/{AccountSid}/Messages.json accounts.messages.create",
      "GET /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json accounts.messages.retrieve",
      "POST /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json accounts.messages.update",
      "DELETE /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json accounts.messages.delete",
      "GET /2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{Sid}.json accounts.messages.media.retrieve",
      "DELETE /2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{Sid}.json accounts.messages.media.delete",
      "GET /2010-04-01/Accounts/{AccountSid}/SIP/Domains.json accounts.sip.domains.list",
      "POST /2010-04-01/Accounts/{AccountSid}/SIP/Domains.json accounts.sip.domains.create",
      "GET /2010-04-01/Accounts/{AccountSid}/SIP/Domains/{Sid}.json accounts.sip.domains.retrieve",
      "POST /2010-04-01/Accounts/{AccountSid}/SIP/Domains/{Sid}.json accounts.sip.domains.update",
      "DELETE /2010-04-01/Accounts/{AccountSid}/SIP/Domains/{Sid}.json accounts.sip.domains.delete",
      "GET /2010-04-01/Accounts/{AccountSid}/Calls/{Sid}/Recordings.json accounts.calls.recordings.list",
      "GET /v1/SIPDomains.json sipDomains.list",
    ]);
  });

  it("Sentry: /api/0/ is a mount even where not every path has it; a PUT on a collection takes the summary's verb", async () => {
    expect(await names("sentry.yaml")).toEqual([
      "GET /api/0/organizations/ organizations.list",
      "GET /api/0/organizations/{organization_slug}/ organizations.retrieve",
      "PUT /api/0/organizations/{organization_slug}/ organizations.update",
      "GET /api/0/organizations/{organization_slug}/projects/ organizations.projects.list",
      "GET /api/0/projects/{organization_slug}/{project_slug}/ projects.retrieve",
      "PUT /api/0/projects/{organization_slug}/{project_slug}/ projects.update",
      "DELETE /api/0/projects/{organization_slug}/{project_slug}/ projects.delete",
      "GET /api/0/projects/{organization_slug}/{project_slug}/issues/ projects.issues.list",
      "PUT /api/0/projects/{organization_slug}/{project_slug}/issues/ projects.issues.update",
      "DELETE /api/0/projects/{organization_slug}/{project_slug}/issues/ projects.issues.delete",
      "GET /api/0/issues/{issue_id}/ issues.retrieve",
      "DELETE /api/0/issues/{issue_id}/ issues.delete",
      "GET /api/0/organizations/{organization_slug}/releases/{version}/deploys/ organizations.releases.deploys.list",
      "POST /api/0/organizations/{organization_slug}/releases/{version}/deploys/ organizations.releases.deploys.create",
      "GET /healthz healthz.retrieve",
    ]);
  });

  it("Discourse: `{id}.json` is an item, `.ics` leaves the name, `suspend.json` is an action", async () => {
    expect(await names("discourse.yaml")).toEqual([
      "GET /admin/users/{id}.json admin.users.retrieve",
      "DELETE /admin/users/{id}.json admin.users.delete",
      "PUT /admin/users/{id}/suspend.json admin.users.suspend",
      "POST /admin/users/{id}/log_out.json admin.users.logOut",
      "GET /events.ics events.list",
      "GET /posts.json posts.list",
      "POST /posts.json posts.create",
      "GET /posts/{id}.json posts.retrieve",
      "PUT /posts/{id}.json posts.update",
      "DELETE /posts/{id}.json posts.delete",
      "PUT /posts/{id}/locked.json posts.locked.update",
      "GET /session/current.json session.current.retrieve",
      "POST /user_avatar/{username}/refresh_gravatar.json userAvatar.refreshGravatar",
      "POST /uploads.json uploads.create",
    ]);
  });

  it("verb-first segments are actions, a POST that reads is a query, fragments name twins, ids are items", async () => {
    expect(await names("actions.yaml")).toEqual([
      "POST /v1/intents/{intent}/verify_microdeposits intents.verifyMicrodeposits",
      "POST /v1/accounts/{account}/disconnect accounts.disconnect",
      "POST /v1/accounts/{account}/login_links accounts.loginLinks.create",
      "GET /v1/charges/{charge}/dispute charges.dispute.retrieve",
      "POST /v1/charges/{charge}/dispute charges.dispute.update",
      "GET /clusters/{id}/clusterlint clusters.clusterlint.retrieve",
      "POST /clusters/{id}/clusterlint clusters.clusterlint.run",
      "POST /{dataset}/records records.search",
      "POST /responses/input_tokens responses.inputTokens.retrieve",
      "PUT /files/{id} files.update",
      "PUT /files/{id}#add_shared_link files.addSharedLink",
      "GET /files/{id}#get_shared_link files.retrieveSharedLink",
      "GET /shared_items#folders sharedItems.retrieveFolder",
      "GET /templates/enterprise/securityClassification-6VMVochwUWo/schema templates.enterprise.schema.retrieve",
      "GET /1-clicks oneClicks.list",
      "GET /videos/{id}/content videos.content.download",
      "POST /me/player/next me.player.next",
    ]);
  });

  it("actions, sub-collections, singletons, downloads, depth, shortened fallbacks and collisions", async () => {
    expect(await names("rules.yaml")).toEqual([
      "POST /batches/{batch_id}/cancel batches.cancel",
      "GET /threads/{thread_id}/messages threads.messages.list",
      "POST /threads/{thread_id}/messages threads.messages.create",
      "POST /assistants/{assistant_id} assistants.update",
      "GET /me/player me.player.retrieve",
      "PUT /me/player me.player.update",
      "GET /me/tracks me.tracks.list",
      "PUT /me/tracks me.tracks.save",
      "DELETE /me/tracks me.tracks.delete",
      "GET /tickets/{ticketId}/qr tickets.qr.download",
      "GET /files/{file_id}/content files.content.retrieve",
      "GET /a/{a}/b/{b}/c/{c}/d/{d}/e/{e}/f a.d.e.f.list",
      "POST /customers/{customer} customers.update",
      "GET /customers/search customers.search",
      "GET /repositories/{username} repositories.list",
      "GET /repositories/{username}/{slug} repositories.retrieve",
      "PUT /vpcs/{vpc_id} vpcs.update",
      "PATCH /vpcs/{vpc_id} vpcs.patch",
      "GET / list",
      "GET /v2 v2.retrieve",
    ]);
  });
});

describe("names a JavaScript runtime calls implicitly (then, toJSON) and prototype members", () => {
  let root = "";
  let server: LoopbackServer | undefined;
  afterAll(async () => {
    await server?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("a path segment, an action or an operationId that reads so gets a trailing `_`, at the root and under a resource", async () => {
    expect(await names("thenable.yaml")).toEqual([
      "POST /then then_",
      "POST /toJSON toJSON_.create",
      "POST /prototype prototype_",
      "POST /constructor constructor_",
      "POST /valueOf valueOf_",
      "GET /widgets widgets.list",
      "PUT /widgets widgets.update",
      "GET /widgets/{id} widgets.retrieve",
      "POST /widgets/{id}/then widgets.then_",
      "POST /widgets/{id}/toJSON widgets.toJSON_.create",
      "POST /widgets/{id}/prototype widgets.prototype_",
      "POST /widgets/{id}/constructor widgets.constructor_",
      "GET /gadgets/{id}/then/parts gadgets.then_.parts.list",
      "GET /gadgets/{id}/toJSON/parts gadgets.toJSON_.parts.list",
    ]);
  });

  it("the generated client and its resources resolve from an async function and JSON.stringify sends nothing", async () => {
    root = tempPackage("naming-thenable");
    await generate(join(FIXTURES, "thenable.yaml"), join(root, "sdk"));
    server = await startServer((seen, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ method: seen.method, url: seen.url }));
    });
    const { createClient } = await importGenerated<{ createClient(o: object): Record<string, any> }>(join(root, "sdk"));
    const make = async () => createClient({ baseUrl: (server as LoopbackServer).origin, maxRetries: 0 });
    const settled = <T>(promise: Promise<T>) =>
      Promise.race([
        promise,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error("still pending after 2 s")), 2000)),
      ]);
    const client = await settled(make());
    expect(typeof client.then_).toBe("function");
    for (const get of [() => client.widgets, () => client.gadgets, () => client.gadgets.then_, () => client.toJSON_])
      expect(await settled((async () => get())())).toBe(get());
    expect(JSON.parse(JSON.stringify(client)).widgets).toEqual({ toJSON_: {} });
    await new Promise((done) => setTimeout(done, 50));
    expect(server.requests).toEqual([]);
    // No member anywhere in the tree is one a runtime would call.
    const members = (tree: Record<string, unknown>, at = ""): string[] =>
      Object.entries(tree).flatMap(([k, v]) =>
        typeof v === "object" && v ? [at + k, ...members(v as Record<string, unknown>, `${at}${k}.`)] : [at + k],
      );
    const all = members(client);
    expect(all.filter((m) => /(^|\.)(then|toJSON|constructor|prototype|valueOf|__proto__)$/.test(m))).toEqual([]);
    // The renamed methods still send their own requests.
    await client.then_();
    await client.widgets.then_("w1");
    await client.widgets.toJSON_.create("w1");
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "POST /then",
      "POST /widgets/w1/then",
      "POST /widgets/w1/toJSON",
    ]);
  }, 60_000);

  it("x-sdk-method and x-sdk-resource that name one are refused, naming the file and the operation", async () => {
    const folder = mkdtempSync(join(tmpdir(), "naming-x-sdk-"));
    try {
      for (const [key, value, bad] of [
        ["x-sdk-method", "then", "then"],
        ["x-sdk-method", "toJSON", "toJSON"],
        ["x-sdk-method", "constructor", "constructor"],
        ["x-sdk-method", "prototype", "prototype"],
        ["x-sdk-resource", "widgets.then", "then"],
        ["x-sdk-resource", "to-JSON", "toJSON"],
      ]) {
        const spec = join(folder, "api.yaml");
        writeFileSync(
          spec,
          `openapi: 3.1.0\ninfo: { title: X, version: "1" }\npaths:\n  /widgets:\n    post:\n      operationId: makeWidget\n      ${key}: ${JSON.stringify(value)}\n      responses: { "200": { description: ok } }\n`,
        );
        const error = await namingModel(spec).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(PipelineError);
        expect((error as PipelineError).format()).toMatch(
          new RegExp(
            `api\\.yaml \\(#/paths/~1widgets/post/${key}\\) ${key} of POST /widgets: "${bad}" is a member JavaScript calls implicitly`,
          ),
        );
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe("the name-override file", () => {
  const temp = mkdtempSync(join(tmpdir(), "naming-overrides-"));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  /** A copy of overrides.yaml with the given overrides file beside it. */
  function withOverrides(text: string): string {
    const folder = mkdtempSync(join(temp, "case-"));
    copyFileSync(join(FIXTURES, "overrides.yaml"), join(folder, "api.yaml"));
    writeFileSync(join(folder, "api.names.yaml"), text);
    return join(folder, "api.yaml");
  }

  async function failure(text: string): Promise<PipelineError> {
    const error = await namingModel(withOverrides(text)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PipelineError);
    return error as PipelineError;
  }

  it("<spec>.names.yaml beside the spec wins over x-sdk-method and the derived names", async () => {
    expect(await names("overrides.yaml")).toEqual([
      "POST /v1/charges/{charge}/capture payments.capture",
      "GET /v1/charges/{charge} payments.fetch",
      "GET /v1/charges payments.list",
    ]);
  });

  it("refuses an entry for an operation the spec does not have, naming file, line and entry", async () => {
    const error = await failure("PostChargesChargeCapture: payments.capture\nGetRefunds: refunds.list\n");
    expect(error.format()).toMatch(
      /api\.names\.yaml:2:1 name override "GetRefunds": no operation has this operationId/,
    );
    expect((await failure('"DELETE /v1/charges": charges.remove\n')).format()).toMatch(
      /api\.names\.yaml:1:1 name override "DELETE \/v1\/charges": no operation has this method and path/,
    );
  });

  it("refuses a name that is not a dotted path of identifiers, naming the segment but not echoing the value", async () => {
    for (const [bad, which] of [
      ["payments.1st", "segment 2 of 2"],
      ["payments..capture", "segment 2 of 3"],
      ["payments.capture-now", "segment 2 of 2"],
      ["ghp_s3cr3t-abc", "the name"],
    ]) {
      const message = (await failure(`PostChargesChargeCapture: ${bad}\n`)).format();
      expect(message).toMatch(
        new RegExp(`api\\.names\\.yaml:1:1 name override "PostChargesChargeCapture": ${which}.* is not an identifier`),
      );
      expect(message).not.toContain(bad);
    }
  });

  it("refuses then, toJSON, constructor, prototype and __proto__ as a method or a resource", async () => {
    for (const name of ["then", "toJSON", "constructor", "prototype", "__proto__", "valueOf"])
      for (const value of [name, `payments.${name}`, `${name}.list`, `payments.${name}.list`])
        expect((await failure(`PostChargesChargeCapture: payments.capture\nGetCharges: ${value}\n`)).format()).toMatch(
          new RegExp(
            `api\\.names\\.yaml:2:1 name override "GetCharges": "${name}" is a member JavaScript calls implicitly`,
          ),
        );
  });

  it("refuses a segment over 80 characters and a name over 200, without echoing them", async () => {
    const segment = (await failure(`GetCharges: payments.${"a".repeat(81)}\n`)).format();
    expect(segment).toMatch(/name override "GetCharges": segment 2 of 2 of the name is 81 characters; at most 80/);
    expect(segment).not.toContain("a".repeat(81));
    const long = (await failure(`GetCharges: ${Array.from({ length: 25 }, () => "abcdefghi").join(".")}\n`)).format();
    expect(long).toMatch(/name override "GetCharges": the name is 249 characters; at most 200 are allowed/);
    expect(long).not.toContain("abcdefghi");
    expect(await namingModel(withOverrides(`GetCharges: payments.${"a".repeat(80)}\n`))).toBeTruthy();
  });

  it("takes a YAML alias as the string it names, and says what a value that is no string is", async () => {
    // The alias resolves: the error is the collision of two entries under one name, not "must be a name".
    expect((await failure("PostChargesChargeCapture: &name payments.capture\nGetCharges: *name\n")).format()).toMatch(
      /name override "\w+": "payments\.capture" is also the name of override "\w+"/,
    );
    const aliased = await namingModel(withOverrides("&id GetChargesCharge: payments.fetch\nGetCharges: *id\n"));
    expect(namingRows(aliased).map((r) => r.name)).toContain("GetChargesCharge");
    expect((await failure("GetCharges: [a]\n")).format()).toMatch(
      /api\.names\.yaml:1:1 name override "GetCharges": the value must be a string such as "charges\.capture", not a list/,
    );
    expect((await failure("GetCharges: 42\n")).format()).toMatch(
      /"GetCharges": the value must be a string .* not a number/,
    );
  });

  it("reads only a regular file: a FIFO, a directory or a dangling link is refused, a link to a secret is not echoed", async () => {
    const folder = () => {
      const dir = mkdtempSync(join(temp, "file-"));
      copyFileSync(join(FIXTURES, "overrides.yaml"), join(dir, "api.yaml"));
      return dir;
    };
    const refused = async (dir: string) => {
      const error = await namingModel(join(dir, "api.yaml")).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PipelineError);
      return (error as PipelineError).format();
    };
    const fifo = folder();
    expect(spawnSync("mkfifo", [join(fifo, "api.names.yaml")]).status).toBe(0);
    expect(await refused(fifo)).toMatch(
      /api\.names\.yaml the name-override file is a FIFO \(named pipe\), not a regular file/,
    );
    const directory = folder();
    mkdirSync(join(directory, "api.names.yaml"));
    expect(await refused(directory)).toMatch(/the name-override file is a directory, not a regular file/);
    const dangling = folder();
    symlinkSync(join(dangling, "missing.yaml"), join(dangling, "api.names.yaml"));
    expect(await refused(dangling)).toMatch(/the name-override file is a symbolic link to a missing file/);
    const linked = folder();
    writeFileSync(join(linked, "secrets.yaml"), 'GITHUB_TOKEN: "ghp_s3cr3t-abc"\n');
    symlinkSync(join(linked, "secrets.yaml"), join(linked, "api.names.yaml"));
    const secret = await refused(linked);
    expect(secret).toMatch(/api\.names\.yaml:1:1 name override "GITHUB_TOKEN": the name is not an identifier/);
    expect(secret).not.toMatch(/ghp_|s3cr3t/);
  });

  it("refuses two operations under one name, and a method named like a sub-resource", async () => {
    expect(
      (await failure("PostChargesChargeCapture: payments.capture\nGetChargesCharge: payments.capture\n")).format(),
    ).toMatch(
      /api\.names\.yaml:2:1 name override "GetChargesCharge": "payments\.capture" is also the name of override "PostChargesChargeCapture" \(line 1\)/,
    );
    // A name the shape gives another operation is that operation's: taking it would silently rename it.
    expect((await failure("GetCharges: payments.list\nPostChargesChargeCapture: charges.retrieve\n")).format()).toMatch(
      /api\.names\.yaml:2:1 name override "PostChargesChargeCapture": "charges\.retrieve" is the name GET \/v1\/charges\/\{charge\} \(GetChargesCharge\) already has; override that operation too/,
    );
    // Unless that operation is overridden as well.
    const both = await namingModel(
      withOverrides(
        "GetCharges: payments.list\nPostChargesChargeCapture: charges.retrieve\nGetChargesCharge: charges.fetch\n",
      ),
    );
    expect(namingRows(both).map((r) => r.name)).toEqual(["charges.retrieve", "charges.fetch", "payments.list"]);
    expect((await failure("GetChargesCharge: charges.all\n")).format()).toMatch(
      /name override "GetChargesCharge": "charges\.all" is also the name of GET \/v1\/charges \(GetCharges\) \(x-sdk-method\)/,
    );
    expect((await failure("GetChargesCharge: charges\n")).format()).toMatch(
      /name override "GetChargesCharge": "charges" is also a resource/,
    );
  });

  it("refuses a file that is not a mapping, and a YAML syntax error, at their line", async () => {
    expect((await failure("- a\n- b\n")).format()).toMatch(/api\.names\.yaml:1:1 a name-override file is a mapping/);
    expect((await failure("a: [\n")).format()).toMatch(/api\.names\.yaml:\d+:\d+ YAML syntax error/);
  });
});

describe("npm run generate -- --names", () => {
  it("prints the report for --spec and writes nothing", () => {
    const out = mkdtempSync(join(tmpdir(), "naming-cli-"));
    try {
      const run = spawnSync(
        process.execPath,
        [
          "--import",
          "tsx",
          "scripts/generate.ts",
          "--names",
          "--spec",
          "test/fixtures/naming/rules.yaml",
          "--out",
          join(out, "sdk"),
        ],
        { cwd: REPO_ROOT, encoding: "utf8" },
      );
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      const lines = run.stdout.trimEnd().split("\n");
      expect(lines[0]).toBe("# rules.yaml: 20 operation(s)");
      expect(lines).toContain("batches.cancel           POST    /batches/{batch_id}/cancel        action");
      expect(readdirSync(out)).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
