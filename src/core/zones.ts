/** Time zone names, as every setting and command that accepts a zone checks them. */
import { IANAZone } from "luxon";
import { z } from "zod";

/** True for a zone the IANA tz data Node ships knows (`Europe/Madrid`, `UTC`); false for `Mars/Base`. */
export function isKnownZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** A setting holding an IANA zone name: an unknown one is refused, naming the key, at start-up. */
export const zoneName = z
  .string()
  .refine(isKnownZone, "must be an IANA time zone like Europe/Madrid or UTC (an unknown zone)");
