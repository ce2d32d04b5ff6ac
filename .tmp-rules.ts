import { createConfig } from "@redocly/openapi-core";
const c = await createConfig({ extends: ["minimal"] });
const rules = (c as any).rules ?? (c as any).styleguide?.rules;
console.log(Object.keys(c as any));
for (const v of ["oas3_0","oas3_1"]) console.log(v, JSON.stringify(Object.fromEntries(Object.entries(rules[v] ?? {}).filter(([k,s]: any) => (s?.severity ?? s) !== "off"))));
