// Stage 6: the emitters, run over one in-memory ts-morph project, each file created once from its structure.
import { IndentationText, Project, QuoteKind, type CodeBlockWriter, type SourceFileStructure } from "ts-morph";
import type { ApiModel } from "../model/index.js";
import { indexFile } from "./barrel.js";
import { cliFile } from "./cli.js";
import { clientFile } from "./client.js";
import { escapeDocs, withVerbatim, type EmitContext } from "./common.js";
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
  const print = structurePrinter(project);
  const files = new Map<string, string>();
  for (const [name, emit] of Object.entries(EMITTERS)) {
    // the structure's writer functions run while it prints: both inside, so verbatim() texts are put back
    const text = withVerbatim(() => {
      const structure = escapeDocs(emit(model, ctx));
      return print ? print(structure) : project.createSourceFile(name, structure).getFullText();
    });
    files.set(name, text);
  }
  return files;
}

/** The part of ts-morph's internal project context that prints a structure (ts-morph 28). */
interface ProjectInternals {
  _context?: {
    structurePrinterFactory?: {
      forSourceFile(options: { isAmbient: boolean }): {
        printText(writer: CodeBlockWriter, structure: SourceFileStructure): void;
      };
    };
  };
}

/**
 * Prints a file's structure to text as createSourceFile does, without what createSourceFile does next: parse that
 * text into a TypeScript AST that nothing here reads (on openai.yaml, 1 s of the emit stage's 1.6 s, and its
 * memory). ts-morph has no public call for this, so it is reached through the project's internal context; where a
 * release moves it, this returns undefined and files are created the public way, with the same bytes.
 */
function structurePrinter(project: Project): ((structure: SourceFileStructure) => string) | undefined {
  const factory = (project as unknown as ProjectInternals)._context?.structurePrinterFactory;
  if (typeof factory?.forSourceFile !== "function") return undefined;
  const printer = factory.forSourceFile({ isAmbient: false });
  return (structure) => {
    const writer = project.createWriter();
    printer.printText(writer, structure);
    return writer.toString();
  };
}
