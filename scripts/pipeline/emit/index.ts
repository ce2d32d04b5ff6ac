// Stage 6: the emitters, run over one in-memory ts-morph project, each file created once from its structure.
import { IndentationText, Project, QuoteKind, type SourceFileStructure } from "ts-morph";
import type { ApiModel } from "../model/index.js";
import { indexFile } from "./barrel.js";
import { cliFile } from "./cli.js";
import { clientFile } from "./client.js";
import type { EmitContext } from "./common.js";
import { idempotencyFile } from "./idempotency.js";
import { mcpFile } from "./mcp.js";
import { modelsFile } from "./models.js";
import { operationsFile } from "./operations.js";
import { resourcesFile } from "./resources.js";
import { securityFile } from "./security.js";
import { serversFile } from "./servers.js";

export type { EmitContext } from "./common.js";

const EMITTERS: Record<string, (model: ApiModel, ctx: EmitContext) => SourceFileStructure> = {
  "idempotency.ts": idempotencyFile,
  "operations.ts": operationsFile,
  "resources.ts": resourcesFile,
  "models.ts": modelsFile,
  "servers.ts": serversFile,
  "security.ts": securityFile,
  "client.ts": clientFile,
  "cli.ts": cliFile,
  "index.ts": indexFile,
  "mcp.ts": mcpFile,
};

/** Returns file name → TypeScript text for the wrappers and idempotency helpers. */
export function emitWrappers(model: ApiModel, ctx: EmitContext): Map<string, string> {
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Double },
  });
  const files = new Map<string, string>();
  for (const [name, emit] of Object.entries(EMITTERS)) {
    files.set(name, project.createSourceFile(name, emit(model, ctx)).getFullText());
  }
  return files;
}
