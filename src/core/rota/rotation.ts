/**
 * Who is on duty: the rotation state is one ordered queue of member ids, stored in the database.
 * The head of the queue is next in line. Taking a turn moves the person who takes it to the back;
 * anyone passed over (away, left the room, skipped today) is simply not moved, so they keep their
 * place and are first in line next time. Nobody gains or loses turns: every turn moves exactly one
 * person from in front to the back, and the answer depends only on the queue and who is available.
 */

/** Who can take a turn on a given day. */
export type Availability = (member: string) => boolean;

/** The first person in line who is available, without changing anything. */
export function nextInLine(queue: readonly string[], available: Availability): string | undefined {
  return queue.find(available);
}

/** Today's turn: the first available person serves and goes to the back of the queue. */
export function takeTurn(
  queue: readonly string[],
  available: Availability,
): { responder: string | undefined; queue: string[] } {
  const responder = nextInLine(queue, available);
  if (responder === undefined) return { responder, queue: [...queue] };
  return { responder, queue: [...queue.filter((m) => m !== responder), responder] };
}

/**
 * `/rota skip`: today's responder `current` (already at the back after taking the turn) returns to the
 * front, behind anyone skipped earlier today, and the next available person not yet skipped today
 * takes the turn instead.
 */
export function skipTurn(
  queue: readonly string[],
  current: string,
  skippedEarlier: readonly string[],
  available: Availability,
): { responder: string | undefined; queue: string[] } {
  const passed = new Set([...skippedEarlier, current]);
  const rest = queue.filter((m) => m !== current);
  const front = rest.filter((m) => skippedEarlier.includes(m)).length;
  const restored = [...rest.slice(0, front), current, ...rest.slice(front)];
  return takeTurn(restored, (m) => !passed.has(m) && available(m));
}

/** `/rota swap @a @b`: the two exchange places in line, so each takes the other's next turn. */
export function swapTurns(queue: readonly string[], a: string, b: string): string[] {
  return queue.map((m) => (m === a ? b : m === b ? a : m));
}

/** `/rota add @x [after @y]`: last in line, or right after `after`. */
export function addMember(queue: readonly string[], member: string, after?: string): string[] {
  const rest = queue.filter((m) => m !== member);
  const i = after === undefined ? -1 : rest.indexOf(after);
  return i < 0 ? [...rest, member] : [...rest.slice(0, i + 1), member, ...rest.slice(i + 1)];
}

export function removeMember(queue: readonly string[], member: string): string[] {
  return queue.filter((m) => m !== member);
}

/** Who will be on duty on each of `dates`, simulating the turns the queue will take. */
export function forecast(
  queue: readonly string[],
  dates: readonly string[],
  availableOn: (member: string, localDate: string) => boolean,
): { date: string; responder: string | undefined }[] {
  let current = [...queue];
  return dates.map((date) => {
    const turn = takeTurn(current, (m) => availableOn(m, date));
    current = turn.queue;
    return { date, responder: turn.responder };
  });
}
