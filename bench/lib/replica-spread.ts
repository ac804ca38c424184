/**
 * How the replica benchmark's load generator stands in for a load balancer: deliveries go round robin
 * over the replicas, and every `retryEvery`-th event is delivered a second time right after the first,
 * as a Slack retry (`X-Slack-Retry-Num: 1`). Being the next delivery, the retry lands on the next
 * replica while the first is still being handled: the hardest case for deduplication.
 */

export interface Delivery {
  /** The event's number in the stream (0, 1, 2, …). */
  event: number;
  /** Which replica gets it, 0 … replicas − 1. */
  replica: number;
  /** 0 for the first delivery, 1 for Slack's retry. */
  retryNum: number;
}

export function* spreadDeliveries(replicas: number, retryEvery: number): Generator<Delivery, never> {
  if (!(replicas >= 1) || !(retryEvery >= 1)) throw new RangeError("replicas and retryEvery must be ≥ 1");
  let delivery = 0;
  for (let event = 0; ; event++) {
    yield { event, replica: delivery++ % replicas, retryNum: 0 };
    if (event % retryEvery === retryEvery - 1) yield { event, replica: delivery++ % replicas, retryNum: 1 };
  }
}
