/** npm run config:reference: prints every behaviour setting with its description and default. */
import { configReference } from "../config/reference.js";

process.stdout.write(configReference());
