/**
 * Many consumers on one FIFO queue, spread over two redsqs instances sharing one Redis, with
 * failures that lead to redelivery: no two consumers ever hold messages of the same group at once,
 * and every group is completed exactly once, in order.
 */
import type { Message } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqsClient, uniqueName } from '../helpers/clients.js';
import { startTwoInstances, type TestService } from '../helpers/service.js';

let a: TestService;
let b: TestService;
let close = async (): Promise<void> => undefined;
beforeAll(async () => {
  ({ a: a, b: b, close } = await startTwoInstances());
});
afterAll(() => close());

const GROUPS = 20;
const PER_GROUP = 10;
const CONSUMERS = 8;

describe('FIFO under concurrency', () => {
  it('never hands one group to two consumers and keeps each group in order, across two instances', async () => {
    const producer = sqsClient('json', a.url);
    const name = `${uniqueName('conc').slice(0, 60)}.fifo`;
    const { QueueUrl } = await producer.createQueue({
      QueueName: name,
      Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true', VisibilityTimeout: '3' },
    });
    const path = new URL(QueueUrl as string).pathname;
    for (let i = 0; i < PER_GROUP; i++) {
      for (let g = 0; g < GROUPS; g += 10) {
        const Entries = Array.from({ length: 10 }, (_, k) => ({
          Id: `e${k}`,
          MessageBody: `g${g + k}:${i}`,
          MessageGroupId: `g${g + k}`,
        }));
        const r = await producer.sendMessageBatch({ QueueUrl, Entries });
        expect(r.Failed ?? []).toEqual([]);
      }
    }

    const holder = new Map<string, number>();
    const done = new Map<string, number[]>();
    const violations: string[] = [];
    let completed = 0;
    let failures = 0;
    let random = 42;
    const chance = () => {
      random = (random * 1103515245 + 12345) % 2 ** 31;
      return random / 2 ** 31;
    };

    const consume = async (consumer: number) => {
      const service = consumer % 2 === 0 ? a : b;
      const sqs = sqsClient('json', service.url);
      const url = `${service.url}${path}`;
      const deadline = Date.now() + 50_000;
      // Only this consumer's own hold: another may have taken the group since this one let it go.
      const release = (group: string): void => {
        if (holder.get(group) === consumer) holder.delete(group);
      };
      while (completed < GROUPS * PER_GROUP && Date.now() < deadline) {
        const { Messages = [] } = await sqs.receiveMessage({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        });
        const byGroup = new Map<string, Message[]>();
        for (const m of Messages) {
          const group = (m.Body as string).split(':')[0] as string;
          byGroup.set(group, [...(byGroup.get(group) ?? []), m]);
        }
        for (const group of byGroup.keys()) {
          const other = holder.get(group);
          if (other !== undefined && other !== consumer) violations.push(`${group} held by ${other} and ${consumer}`);
          holder.set(group, consumer);
        }
        await new Promise((r) => setTimeout(r, 5));
        for (const [group, ms] of byGroup) {
          for (const [i, m] of ms.entries()) {
            if (chance() < 0.1) {
              // A failure: this and the rest of the group's batch are redelivered, either at once
              // (visibility set to 0, as a nack) or when their visibility timeout ends.
              failures++;
              if (chance() < 0.5) {
                const Entries = ms
                  .slice(i)
                  .map((r, k) => ({ Id: `n${k}`, ReceiptHandle: r.ReceiptHandle, VisibilityTimeout: 0 }));
                release(group);
                await sqs.changeMessageVisibilityBatch({ QueueUrl: url, Entries });
              }
              break;
            }
            // The group's last delete frees it on the server, and another consumer's receive may
            // come back before this delete's response does: the group is let go before it is sent.
            if (i === ms.length - 1) release(group);
            await sqs.deleteMessage({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle });
            done.set(group, [...(done.get(group) ?? []), Number((m.Body as string).split(':')[1])]);
            completed++;
          }
          release(group);
        }
      }
    };
    await Promise.all(Array.from({ length: CONSUMERS }, (_, c) => consume(c)));

    expect(violations).toEqual([]);
    expect(failures).toBeGreaterThan(0);
    expect(completed).toBe(GROUPS * PER_GROUP);
    for (let g = 0; g < GROUPS; g++) {
      expect(done.get(`g${g}`)).toEqual(Array.from({ length: PER_GROUP }, (_, i) => i));
    }
  }, 60_000);
});
