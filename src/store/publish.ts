/**
 * PUBLISH that says how many subscribers the message reached: Redis's own count, or on a cluster
 * (where PUBLISH counts only the subscribers of the node that ran it) the sum of PUBSUB NUMSUB over
 * every node, read before the message goes out. Callers wait for that many acknowledgements.
 */
import { Cluster, type Redis } from 'ioredis';

export async function publishCounted(redis: Redis | Cluster, channel: string, payload: string): Promise<number> {
  if (!(redis instanceof Cluster)) return redis.publish(channel, payload);
  const counts = await Promise.all(
    redis.nodes('all').map(async (node) => Number(((await node.pubsub('NUMSUB', channel)) as unknown[])[1])),
  );
  await redis.publish(channel, payload);
  return counts.reduce((a, b) => a + b, 0);
}
