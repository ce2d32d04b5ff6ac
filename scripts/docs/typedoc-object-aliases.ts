// A TypeDoc plugin: document every object-shaped type alias as an interface, listing its resolved members.
// The SDK's public types are derived from generated code (`Run` is `components["schemas"]["Run"]`,
// `FloraTechniques` is `Resources["techniques"] & { … }`), so by definition TypeDoc would show neither the
// fields nor `techniques.runs.create` / `retrieve`, and would warn that `components` and `Resources` are not
// documented. TypeDoc's own `@interface` tag does exactly this; applying it here keeps src/ and generated/
// free of docs-only tags, and covers whatever operations the spec adds.
import { Comment, Context, ReflectionKind, type Application } from "typedoc";
import ts from "typescript";

function isObjectShaped(checker: ts.TypeChecker, symbol: ts.Symbol): boolean {
  const declaration = symbol.declarations?.find(ts.isTypeAliasDeclaration);
  if (!declaration || declaration.typeParameters) return false;
  const type = checker.getTypeAtLocation(declaration);
  const flags = type.getFlags();
  if (flags & ts.TypeFlags.Union || !(flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection))) return false;
  // A function type stays a type alias: its signature is what a reader needs.
  if (checker.getSignaturesOfType(type, ts.SignatureKind.Call).length > 0) return false;
  return type.getProperties().length > 0;
}

export function load(_app: Application): void {
  const getComment = Context.prototype.getComment;
  Context.prototype.getComment = function (this: Context, symbol: ts.Symbol, kind: ReflectionKind) {
    const comment = getComment.call(this, symbol, kind);
    if (kind !== ReflectionKind.TypeAlias || !isObjectShaped(this.checker, symbol)) return comment;
    const tagged = comment?.clone() ?? new Comment();
    tagged.modifierTags.add("@interface");
    return tagged;
  };
}
