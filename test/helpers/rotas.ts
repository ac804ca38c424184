import type { Rota } from "../../src/core/rota/store.js";

/** A rota in T1's room C1: 09:30 in Madrid, Monday to Friday, no holidays, running. */
export function mkRota(overrides: Partial<Rota> = {}): Rota {
  return {
    workspace: "T1",
    room: "C1",
    roomName: "team",
    roomKind: "public",
    time: "09:30",
    zone: "Europe/Madrid",
    days: [1, 2, 3, 4, 5],
    holidays: null,
    paused: false,
    lateAnnouncement: null,
    createdBy: null,
    updatedAt: new Date("2026-11-01T00:00:00Z"),
    ...overrides,
  };
}
