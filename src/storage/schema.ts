/**
 * Table types for the query layer. Conventions that keep one schema valid on SQLite and PostgreSQL:
 * timestamps are ISO-8601 UTC text (`Date.toISOString()`, so they sort as text), local dates are
 * `YYYY-MM-DD` text, booleans are 0/1 integers, structured values are JSON text, and keys are
 * explicit (no auto-increment). Each concern declares its tables in its own file and adds them here.
 */
import type { DecisionTables } from "./decision-tables.js";
import type { DigestTables } from "./digest-tables.js";
import type { FoundationTables } from "./foundation-tables.js";
import type { LeaseTables } from "./lease-tables.js";
import type { MatrixTables } from "./matrix-tables.js";
import type { NudgeTables } from "./nudge-tables.js";
import type { RotaTables } from "./rota-tables.js";
import type { SlackTables } from "./slack-tables.js";

export type Database = FoundationTables &
  DecisionTables &
  SlackTables &
  RotaTables &
  NudgeTables &
  LeaseTables &
  MatrixTables &
  DigestTables;
