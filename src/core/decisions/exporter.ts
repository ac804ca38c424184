/**
 * The port through which decisions leave Outloud for the team's documentation store. The core knows
 * only this interface; implementations (Markdown/git, e-mail, Confluence, Notion, webhook) live in
 * src/exporters and are chosen by the composition root.
 */
import type { DecisionRecord } from "./model.js";

/** What an exporter remembers about a document it wrote, so the next export updates it. */
export interface ExportReceipt {
  /** The target's own id for the document (a page id, a file name, a message id). */
  ref: string;
  /** Where people find it: a URL, a path, a list of addresses. */
  location: string;
}

export interface DocumentExporter {
  /** Stable target name stored in the outbox: `markdown`, `email`, `confluence`, `notion`, `webhook`. */
  readonly target: string;
  /** Whether decisions from this room go to this target (targets may be limited to some rooms). */
  accepts(decision: Pick<DecisionRecord, "workspace" | "room">): boolean;
  /**
   * Creates or updates the document for `decision`. Must be idempotent: called again (a retry, a
   * status change, a process that died mid-export) it updates the same document, never a second one.
   * `previous` is the receipt of the last successful export, when there was one.
   */
  export(decision: DecisionRecord, previous?: ExportReceipt): Promise<ExportReceipt>;
  /**
   * The decision was undone after it was exported here: take it back where the target allows (remove
   * the file, send an event). Retried from the export outbox like `export`, so it must be idempotent
   * too: called again after a failure (or a crash) it finishes the job, never does it twice over.
   * `decision` is the decision as it was when undone (its record is gone). Targets without it (a sent
   * e-mail) leave the document; the undo reply says so.
   */
  withdraw?(decision: DecisionRecord): Promise<void>;
}
