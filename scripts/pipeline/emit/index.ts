// Stage 6: the emitters, run over one in-memory ts-morph project, each file created once from its structure.
import { CodeBlockWriter, IndentationText, Project, QuoteKind, type SourceFileStructure } from "ts-morph";
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
    const text = withVerbatim(() =>
      withExactEscapes(() => {
        const structure = escapeDocs(emit(model, ctx));
        return print ? print(structure) : project.createSourceFile(name, structure).getFullText();
      }),
    );
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

/**
 * ts-morph's writer (code-block-writer 13) tracks whether it is inside a string or a comment, to indent and to close
 * comments, and takes any quote after a backslash for an escaped one: a literal ending in an escaped backslash
 * (`"C:\\"`, from spec text ending in `\`) never closes for it, and from there it reads code as string and string
 * as code: it skips indentation, or sees a comment open and writes a stray `*\/` into the file. While `print` runs,
 * every writer (ts-morph makes one per initializer and doc comment) is fed each text for that tracking with every
 * escaped backslash (`\\`) as two plain characters of the same length, so only real escapes count; the text written
 * is unchanged. Emitters write each literal whole, never split across writes.
 */
function withExactEscapes<T>(print: () => T): T {
  const prototype = CodeBlockWriter.prototype as unknown as { _updateInternalState?: (text: string) => void };
  const update = prototype._updateInternalState;
  // a release that renames it prints as before (the emit tests' escaped-backslash case then fails)
  if (typeof update !== "function") return print();
  prototype._updateInternalState = function (this: CodeBlockWriter, text: string) {
    update.call(this, text.includes("\\\\") ? text.replace(/\\\\/g, "__") : text);
  };
  try {
    return print();
  } finally {
    prototype._updateInternalState = update;
  }
}
