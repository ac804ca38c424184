/**
 * UTC offsets of IANA time zones, read from Intl (the same tz data luxon uses) and remembered per zone
 * and quarter hour. Computing a rota's next occurrence asks for the offsets of the same few instants
 * over and over (10,000 rotas at start-up, mostly in a handful of zones); a luxon DateTime for each
 * question made that a quarter of start-up.
 */

const SLOT_MS = 15 * 60_000;
// Per zone; an old slot is only asked about again by a clock going backwards, so a full map is dropped.
const MAX_SLOTS_PER_ZONE = 4096;

const formats = new Map<string, Intl.DateTimeFormat>();
const slots = new Map<string, Map<number, number>>();

/** Milliseconds to add to a UTC instant to get the wall clock of `zone` at that instant. */
export function utcOffsetMs(zone: string, epochMs: number): number {
  let zoneSlots = slots.get(zone);
  if (!zoneSlots) {
    zoneSlots = new Map();
    slots.set(zone, zoneSlots);
  }
  const slot = Math.floor(epochMs / SLOT_MS);
  const known = zoneSlots.get(slot);
  if (known !== undefined) return known;
  const start = slot * SLOT_MS;
  const offset = readOffset(zone, start);
  // A change of offset inside this quarter hour (none in today's tz data, but history has a few):
  // don't remember it, answer this one instant exactly.
  if (readOffset(zone, start + SLOT_MS - 1) !== offset) return readOffset(zone, epochMs);
  if (zoneSlots.size >= MAX_SLOTS_PER_ZONE) zoneSlots.clear();
  zoneSlots.set(slot, offset);
  return offset;
}

function readOffset(zone: string, epochMs: number): number {
  let format = formats.get(zone);
  if (!format) {
    format = wallClockFormat(zone);
    formats.set(zone, format);
  }
  const parts: Record<string, string> = {};
  for (const p of format.formatToParts(epochMs)) parts[p.type] = p.value;
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  // Intl shows whole seconds: compare with the instant's own whole second.
  return wall - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

function wallClockFormat(zone: string): Intl.DateTimeFormat {
  const options: Intl.DateTimeFormatOptions = {
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  };
  try {
    return new Intl.DateTimeFormat("en-US", { ...options, timeZone: zone });
  } catch {
    // A zone this tz data does not know (saved under a newer one?) reads as UTC: the rota still runs.
    return new Intl.DateTimeFormat("en-US", { ...options, timeZone: "UTC" });
  }
}
