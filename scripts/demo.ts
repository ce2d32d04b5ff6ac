// `npm run demo`: the whole flow on a laptop with no API key and no network — a Flora-compatible server on
// 127.0.0.1, a technique run started through the SDK, a progress bar fed by onProgress, then the outputs.
import { Flora, type Run } from "../src/index.js";
import { startFloraTestServer } from "../src/testing/index.js";

const WIDTH = 30;
const tty = process.stdout.isTTY === true;

function bar(run: Run): string {
  const fraction = Math.max(0, Math.min(1, run.progress));
  const filled = Math.round(fraction * WIDTH);
  return `[${"█".repeat(filled)}${"░".repeat(WIDTH - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}%  ${run.status}`;
}

const server = await startFloraTestServer({ runDurationMs: 4000 });
try {
  console.log(`Flora-compatible server listening at ${server.url} (127.0.0.1 only)\n`);
  const flora = new Flora({ apiKey: server.apiKey, baseUrl: server.url, logLevel: "off" });
  const techniqueId = "art-directors-critique";
  console.log(`Starting a run of "${techniqueId}"…`);
  const run = await flora.techniques.runs.createAndWait(
    techniqueId,
    {
      inputs: [
        { id: "image", type: "imageUrl", value: "https://example.com/lighthouse.png" },
        { id: "brief", type: "text", value: "A lighthouse at dusk, painted in gouache" },
      ],
      mode: "async",
    },
    {
      // the technique's declared inputs, checked before the run starts
      checkInputs: true,
      intervalMs: 250,
      onProgress: (snapshot) => {
        if (tty) process.stdout.write(`\r${bar(snapshot)}   `);
        else console.log(bar(snapshot));
      },
    },
  );
  if (tty) process.stdout.write("\n");
  console.log(
    `\nRun ${run.run_id} ${run.status}${run.charged_cost !== undefined ? ` (charged $${run.charged_cost})` : ""}`,
  );
  for (const output of run.outputs ?? []) console.log(`  ${output.output_id}  ${output.type.padEnd(11)} ${output.url}`);
  if (run.status !== "completed") process.exitCode = 1;
} finally {
  await server.close();
}
