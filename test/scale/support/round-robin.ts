// The load balancer of the scale test: sends each delivery to its round-robin instance, or to a surviving
// one when that instance is dead, with a bounded number in flight. A request that gets no HTTP answer (its
// instance was killed under it) is sent again to a survivor, as Cal.com's retry would; a 2xx marks the
// event acknowledged.
import { deliver, inParallel } from '../../faults/kill9/burst.js';
import type { Instance } from './fleet.js';
import type { ScaleDelivery } from './plan.js';

export interface RoundRobinOptions {
  concurrency: number;
  secret: string;
  /** Sends of one delivery, the first included. */
  maxAttempts: number;
  /** Called after every HTTP answer with the count so far (the test kills an instance midway). */
  onAnswer?: (answers: number) => void;
}

export interface RoundRobinResult {
  answers: number;
  acknowledged: number;
  duplicatesAnswered: number;
  /** Sends that got no HTTP answer, and were sent again. */
  unanswered: number;
  /** Anything but a 2xx, or no answer after every attempt. */
  unexpected: string[];
  /** 2xx answers per instance index. */
  perInstance: number[];
}

export async function sendRoundRobin(deliveries: readonly ScaleDelivery[], fleet: readonly Instance[], options: RoundRobinOptions): Promise<RoundRobinResult> {
  const result: RoundRobinResult = { answers: 0, acknowledged: 0, duplicatesAnswered: 0, unanswered: 0, unexpected: [], perInstance: fleet.map(() => 0) };
  let detour = 0;
  const pick = (target: number): Instance => {
    const wanted = fleet[target];
    if (wanted?.alive) return wanted;
    const alive = fleet.filter((i) => i.alive);
    if (alive.length === 0) throw new Error('no instance left alive');
    return alive[detour++ % alive.length] as Instance;
  };

  await inParallel(deliveries, options.concurrency, async (delivery) => {
    for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
      const instance = pick(delivery.target);
      const answer = await deliver(instance.server.url, delivery.raw, options.secret);
      if (answer === null) {
        result.unanswered += 1;
        continue;
      }
      result.answers += 1;
      options.onAnswer?.(result.answers);
      if (answer.status < 200 || answer.status >= 300) {
        result.unexpected.push(`delivery ${delivery.n} (${delivery.event.key}) to ${instance.name}: ${answer.status} ${JSON.stringify(answer.body)}`);
        return;
      }
      result.acknowledged += 1;
      result.perInstance[instance.index] = (result.perInstance[instance.index] ?? 0) + 1;
      if (answer.body.duplicate === true) result.duplicatesAnswered += 1;
      delivery.event.acknowledged = true;
      if (typeof answer.body.event_id === 'number') delivery.event.eventIds.add(answer.body.event_id);
      return;
    }
    result.unexpected.push(`delivery ${delivery.n} (${delivery.event.key}): no answer after ${options.maxAttempts} attempts`);
  });
  return result;
}
