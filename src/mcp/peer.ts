// The MCP SDK is an optional peer dependency of `flora-sdk/mcp`: loaded on first use, and when it is missing
// the error is one line naming what to install, instead of a module-resolution stack.
import type { JsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/types.js";

/** The SDK modules this package uses, by subpath. */
interface SdkModules {
  server: typeof import("@modelcontextprotocol/sdk/server/index.js");
  "server/stdio": typeof import("@modelcontextprotocol/sdk/server/stdio.js");
  "server/streamableHttp": typeof import("@modelcontextprotocol/sdk/server/streamableHttp.js");
  types: typeof import("@modelcontextprotocol/sdk/types.js");
  "validation/ajv": AjvProviderModule;
}

/**
 * The SDK's Ajv validator, typed here: its own declaration file does not compile under `skipLibCheck: false`
 * with NodeNext resolution (it uses ajv's default export as a type), so it is imported by a specifier that
 * TypeScript does not follow.
 */
interface AjvProviderModule {
  AjvJsonSchemaValidator: new () => {
    getValidator<T>(schema: unknown): JsonSchemaValidator<T>;
  };
}

const AJV_PROVIDER: string = "@modelcontextprotocol/sdk/validation/ajv";

/** The package to install for the MCP server. */
export const MCP_SDK_PACKAGE = "@modelcontextprotocol/sdk";

/** Thrown when an optional peer dependency is not installed; its message is the one line to show. */
export class MissingPeerError extends Error {
  override name = "MissingPeerError";
  constructor(
    readonly packageName: string,
    cause: unknown,
  ) {
    super(`The MCP server needs ${packageName}, which is not installed: npm install ${packageName}@^1`, { cause });
  }
}

/** Loads one module of the MCP SDK; a missing SDK throws MissingPeerError. */
export async function loadSdk<K extends keyof SdkModules>(subpath: K): Promise<SdkModules[K]> {
  try {
    switch (subpath) {
      case "server":
        return (await import("@modelcontextprotocol/sdk/server/index.js")) as unknown as SdkModules[K];
      case "server/stdio":
        return (await import("@modelcontextprotocol/sdk/server/stdio.js")) as unknown as SdkModules[K];
      case "server/streamableHttp":
        return (await import("@modelcontextprotocol/sdk/server/streamableHttp.js")) as unknown as SdkModules[K];
      case "types":
        return (await import("@modelcontextprotocol/sdk/types.js")) as unknown as SdkModules[K];
      default:
        return (await import(AJV_PROVIDER)) as unknown as SdkModules[K];
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      // the SDK itself, or one of its own peers (zod)
      const named = /Cannot find (?:package|module) '((?:@[^/']+\/)?[^/']+)/.exec(
        String((error as Error).message),
      )?.[1];
      throw new MissingPeerError(
        named && !named.startsWith(".") && !named.startsWith("/") ? named : MCP_SDK_PACKAGE,
        error,
      );
    }
    throw error;
  }
}
