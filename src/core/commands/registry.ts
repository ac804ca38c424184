/**
 * The command table: dispatch by the longest matching word path, help generated from the
 * descriptions, and a short usage reply for anything malformed.
 */
import type { CommandContext, CommandReply, CommandSpec } from "./command.js";
import { tokenize } from "./tokenize.js";

export interface Dispatch {
  /** The command that matched, if any (for logging and the action's source). */
  root: string;
  reply: CommandReply;
}

export class CommandTable {
  private readonly specs: CommandSpec[] = [];
  /** Root words and what they are for, shown in `/outloud help`. */
  private readonly roots = new Map<string, string>();

  describeRoot(root: string, purpose: string): void {
    this.roots.set(root, purpose);
  }

  add(...specs: CommandSpec[]): void {
    for (const spec of specs) {
      const key = spec.path.join(" ");
      if (this.specs.some((s) => s.path.join(" ") === key))
        throw new Error(`command "${key}" declared twice`);
      this.specs.push(spec);
      if (!this.roots.has(spec.path[0]!)) this.roots.set(spec.path[0]!, "");
    }
  }

  /** Every root word, in the order the features declared them: Slack's slash commands are exactly these. */
  rootWords(): string[] {
    return [...this.roots.keys()];
  }

  /** True when `word` starts one of our commands (`rota`, `decision`, `outloud`, …). */
  isRoot(word: string): boolean {
    return this.roots.has(word.toLowerCase());
  }

  all(): readonly CommandSpec[] {
    return this.specs;
  }

  async dispatch(ctx: CommandContext): Promise<Dispatch> {
    const words = tokenize(ctx.invocation.text);
    const root = (words[0] ?? "").toLowerCase();
    if (!this.isRoot(root)) {
      const text = `I don't know "${ctx.prefix}${root}". Try \`${ctx.prefix}outloud help\`.`;
      return { root: "outloud", reply: { kind: "private", text } };
    }
    const rest = words.slice(1);
    const bare = this.specs.find((s) => s.path.length === 1 && s.path[0] === root);
    // A bare root shows its help, unless the root is itself a command that takes no arguments (`/share`).
    if ((rest.length === 0 && !bare?.parse([]).ok) || rest[0]?.toLowerCase() === "help") {
      return { root, reply: { kind: "private", text: this.help(root, ctx.prefix) } };
    }
    const spec = this.match(words);
    if (!spec) {
      const tried = `${root} ${rest[0]}`;
      return {
        root,
        reply: {
          kind: "private",
          // Short, like every usage reply: the full help is one command away.
          text: `I don't know "${ctx.prefix}${tried}". Try \`${ctx.prefix}${root} help\`.`,
        },
      };
    }
    const parsed = spec.parse(words.slice(spec.path.length));
    if (!parsed.ok) {
      return { root, reply: { kind: "private", text: this.usageReply(spec, parsed.problem, ctx.prefix) } };
    }
    return { root, reply: this.shown(spec, await spec.run(ctx, parsed.value), ctx) };
  }

  /** A problem becomes the short usage reply; a form, where none can be shown, its `otherwise` answer. */
  private shown(spec: CommandSpec, reply: CommandReply, ctx: CommandContext): CommandReply {
    if (reply.kind === "error")
      return { kind: "private", text: this.usageReply(spec, reply.problem, ctx.prefix) };
    if (reply.kind !== "form") return reply;
    const otherwise = this.shown(spec, reply.otherwise, ctx);
    return ctx.invocation.canOpenForm ? { ...reply, otherwise } : otherwise;
  }

  /** Help for one root (`rota`), or for everything when the root is `outloud`. */
  help(root: string, prefix: string): string {
    const roots = root === "outloud" ? [...this.roots.keys()] : [root];
    const lines: string[] =
      root === "outloud"
        ? ["Outloud helps your team work out loud. Commands (add `help` to any of them for more):"]
        : [];
    for (const r of roots) {
      const specs = this.specs.filter((s) => s.path[0] === r);
      if (specs.length === 0 && r !== root) continue;
      const purpose = this.roots.get(r);
      lines.push(purpose ? `*${prefix}${r}*: ${purpose}` : `*${prefix}${r}*`);
      for (const s of specs) lines.push(`• \`${this.signature(s, prefix)}\`: ${s.summary}`);
    }
    return lines.join("\n");
  }

  signature(spec: CommandSpec, prefix: string): string {
    return `${prefix}${spec.path.join(" ")}${spec.usage ? ` ${spec.usage}` : ""}`;
  }

  private usageReply(spec: CommandSpec, problem: string, prefix: string): string {
    const first = problem.charAt(0).toUpperCase() + problem.slice(1);
    return `${first}. Usage: \`${this.signature(spec, prefix)}\``;
  }

  private match(words: string[]): CommandSpec | undefined {
    let best: CommandSpec | undefined;
    for (const spec of this.specs) {
      if (spec.path.length > words.length) continue;
      if (!spec.path.every((w, i) => w === words[i]!.toLowerCase())) continue;
      if (!best || spec.path.length > best.path.length) best = spec;
    }
    return best;
  }
}
