// `npm run demo` is a newcomer's first look: it must run the whole flow offline and exit 0.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";

it("npm run demo starts a local server, follows a run to completion with a progress bar, prints outputs and exits 0", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/demo.ts"], {
    timeout: 60_000,
    env: { ...process.env, FLORA_API_KEY: "" },
  });
  expect(stdout).toMatch(/listening at http:\/\/127\.0\.0\.1:\d+\/api\/v1/);
  expect(stdout).toMatch(/\[█{30}\] 100%  completed/);
  expect(stdout).toMatch(/Run run_\S+ completed/);
  // art-directors-critique declares one text output, a critique
  expect(stdout).toMatch(/text\s+https:\/\/\S+\/critique\.txt/);
}, 90_000);
