// Worker for stage 4: loads TypeScript and openapi-typescript's transform once, then types each document it is sent.
import type { OpenAPIDocument } from "./bundle.js";
import { generateTypes, preloadTypes } from "./types.js";
import { serveTasks } from "./workers.js";

// Loading TypeScript takes longer than loading, linting and bundling a small spec: start at once.
const warm = preloadTypes().catch(() => undefined);

serveTasks<{ document: OpenAPIDocument }, string>(async ({ document }) => {
  await warm;
  return generateTypes(document);
});
