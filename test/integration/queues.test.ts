/** Queue actions through both SDK generations (JSON 1.0 and query), against the real service. */
import { describe, expect, it } from 'vitest';
import { errorOf, PROTOCOLS, sqsClient, uniqueName } from '../helpers/clients.js';
import { useTestService } from '../helpers/service.js';

const svc = useTestService();

describe.each(PROTOCOLS)('queues (%s)', (protocol) => {
  const sqs = () => sqsClient(protocol, svc().url);
  const name = (p: string) => uniqueName(`${p}-${protocol}`);

  describe('CreateQueue', () => {
    it('returns a URL built from the request host, with the account id', async () => {
      const n = name('create');
      const { QueueUrl } = await sqs().createQueue({ QueueName: n });
      expect(QueueUrl).toBe(`${svc().url}/000000000000/${n}`);
    });

    it('is idempotent with identical attributes, and fails with QueueNameExists when they differ', async () => {
      const n = name('idem');
      const first = await sqs().createQueue({ QueueName: n, Attributes: { VisibilityTimeout: '60' } });
      const again = await sqs().createQueue({ QueueName: n, Attributes: { VisibilityTimeout: '60' } });
      expect(again.QueueUrl).toBe(first.QueueUrl);
      const noAttributes = await sqs().createQueue({ QueueName: n });
      expect(noAttributes.QueueUrl).toBe(first.QueueUrl);
      const err = await errorOf(() => sqs().createQueue({ QueueName: n, Attributes: { VisibilityTimeout: '61' } }));
      expect(err.code).toBe('QueueNameExists');
      expect(err.$metadata?.httpStatusCode).toBe(400);
    });

    it.each([
      ['', 'empty'],
      ['has space', 'space'],
      ['a'.repeat(81), '81 characters'],
      ['dot.name', 'a dot'],
    ])('rejects the name %j (%s)', async (bad) => {
      const err = await errorOf(() => sqs().createQueue({ QueueName: bad }));
      expect(err.code).toMatch(/InvalidParameterValue|MissingParameter/);
    });

    it('accepts 80 characters, hyphens and underscores', async () => {
      const n = `${name('ok_name')}-`.padEnd(80, 'x');
      const { QueueUrl } = await sqs().createQueue({ QueueName: n });
      expect(QueueUrl?.endsWith(n)).toBe(true);
    });

    it('stores tags given at creation', async () => {
      const { QueueUrl } = await sqs().createQueue({ QueueName: name('tags'), tags: { team: 'a', env: 'ci' } });
      expect((await sqs().listQueueTags({ QueueUrl })).Tags).toEqual({ team: 'a', env: 'ci' });
    });

    it('rejects unknown attributes and out-of-range values', async () => {
      const unknown = await errorOf(() =>
        sqs().createQueue({ QueueName: name('bad'), Attributes: { Nope: '1' } as Record<string, string> }),
      );
      expect(unknown.code).toBe('InvalidAttributeName');
      const range = await errorOf(() =>
        sqs().createQueue({ QueueName: name('bad'), Attributes: { MessageRetentionPeriod: '59' } }),
      );
      expect(range.code).toBe('InvalidAttributeValue');
    });

    it('rejects FifoQueue=true on a name without .fifo, and the reverse', async () => {
      const a = await errorOf(() =>
        sqs().createQueue({ QueueName: name('nofifo'), Attributes: { FifoQueue: 'true' } }),
      );
      expect(a.code).toBe('InvalidParameterValue');
      const b = await errorOf(() => sqs().createQueue({ QueueName: `${name('f')}.fifo` }));
      expect(b.code).toBe('InvalidParameterValue');
    });
  });

  describe('GetQueueUrl, DeleteQueue, ListQueues', () => {
    it('finds a queue by name and owner, and not another account or a missing name', async () => {
      const n = name('url');
      const { QueueUrl } = await sqs().createQueue({ QueueName: n });
      expect((await sqs().getQueueUrl({ QueueName: n })).QueueUrl).toBe(QueueUrl);
      expect((await sqs().getQueueUrl({ QueueName: n, QueueOwnerAWSAccountId: '000000000000' })).QueueUrl).toBe(
        QueueUrl,
      );
      const other = await errorOf(() => sqs().getQueueUrl({ QueueName: n, QueueOwnerAWSAccountId: '111111111111' }));
      expect(other.code).toBe('QueueDoesNotExist');
      const missing = await errorOf(() => sqs().getQueueUrl({ QueueName: name('missing') }));
      expect(missing.code).toBe('QueueDoesNotExist');
      expect(missing.$metadata?.httpStatusCode).toBe(400);
    });

    it('deletes a queue; its name cannot be reused for 60 seconds', async () => {
      const n = name('del');
      const { QueueUrl } = await sqs().createQueue({ QueueName: n });
      await sqs().deleteQueue({ QueueUrl });
      expect((await errorOf(() => sqs().getQueueUrl({ QueueName: n }))).code).toBe('QueueDoesNotExist');
      expect((await errorOf(() => sqs().deleteQueue({ QueueUrl }))).code).toBe('QueueDoesNotExist');
      expect((await errorOf(() => sqs().sendMessage({ QueueUrl, MessageBody: 'x' }))).code).toBe('QueueDoesNotExist');
      expect((await errorOf(() => sqs().createQueue({ QueueName: n }))).code).toBe('QueueDeletedRecently');
    });

    it('accepts a queue URL with any host', async () => {
      const n = name('anyhost');
      await sqs().createQueue({ QueueName: n });
      const sent = await sqs().sendMessage({
        QueueUrl: `http://elsewhere.example:1234/000000000000/${n}`,
        MessageBody: 'x',
      });
      expect(sent.MessageId).toBeTruthy();
    });

    it('lists by prefix and pages with MaxResults and NextToken', async () => {
      const prefix = name('list');
      const names = ['a', 'b', 'c', 'd', 'e'].map((s) => `${prefix}-${s}`);
      for (const n of names) await sqs().createQueue({ QueueName: n });
      const all = await sqs().listQueues({ QueueNamePrefix: prefix });
      expect(all.QueueUrls?.map((u) => u.split('/').pop())).toEqual(names);
      expect(all.NextToken).toBeUndefined();

      const seen: string[] = [];
      let NextToken: string | undefined;
      let pages = 0;
      do {
        const page = await sqs().listQueues({ QueueNamePrefix: prefix, MaxResults: 2, NextToken });
        seen.push(...(page.QueueUrls ?? []).map((u) => u.split('/').pop() as string));
        NextToken = page.NextToken;
        pages++;
      } while (NextToken);
      expect(seen).toEqual(names);
      expect(pages).toBe(3);

      const none = await sqs().listQueues({ QueueNamePrefix: `${prefix}-zzz` });
      expect(none.QueueUrls ?? []).toEqual([]);
      const bad = await errorOf(() => sqs().listQueues({ MaxResults: 1001 }));
      expect(bad.code).toBe('InvalidParameterValue');
    });
  });

  describe('GetQueueAttributes and SetQueueAttributes', () => {
    it('returns every attribute for All, with SQS defaults', async () => {
      const n = name('attrs');
      const before = Math.floor(Date.now() / 1000);
      const { QueueUrl } = await sqs().createQueue({ QueueName: n });
      const { Attributes } = await sqs().getQueueAttributes({ QueueUrl, AttributeNames: ['All'] });
      expect(Attributes).toMatchObject({
        QueueArn: `arn:aws:sqs:us-east-1:000000000000:${n}`,
        ApproximateNumberOfMessages: '0',
        ApproximateNumberOfMessagesNotVisible: '0',
        ApproximateNumberOfMessagesDelayed: '0',
        VisibilityTimeout: '30',
        MaximumMessageSize: '1048576',
        MessageRetentionPeriod: '345600',
        DelaySeconds: '0',
        ReceiveMessageWaitTimeSeconds: '0',
        SqsManagedSseEnabled: 'true',
      });
      const created = Number(Attributes?.CreatedTimestamp);
      expect(created).toBeGreaterThanOrEqual(before);
      expect(created).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
      expect(Attributes?.LastModifiedTimestamp).toBe(Attributes?.CreatedTimestamp);
      expect(Attributes?.FifoQueue).toBeUndefined();
    });

    it('returns only the named attributes, and nothing when none are named', async () => {
      const { QueueUrl } = await sqs().createQueue({ QueueName: name('some') });
      const some = await sqs().getQueueAttributes({ QueueUrl, AttributeNames: ['VisibilityTimeout', 'DelaySeconds'] });
      expect(some.Attributes).toEqual({ VisibilityTimeout: '30', DelaySeconds: '0' });
      const none = await sqs().getQueueAttributes({ QueueUrl });
      expect(none.Attributes ?? {}).toEqual({});
      const bad = await errorOf(() => sqs().getQueueAttributes({ QueueUrl, AttributeNames: ['Bogus' as 'All'] }));
      expect(bad.code).toBe('InvalidAttributeName');
    });

    it('counts visible, in-flight and delayed messages', async () => {
      const { QueueUrl } = await sqs().createQueue({ QueueName: name('counts') });
      await sqs().sendMessage({ QueueUrl, MessageBody: 'a' });
      await sqs().sendMessage({ QueueUrl, MessageBody: 'b' });
      await sqs().sendMessage({ QueueUrl, MessageBody: 'c', DelaySeconds: 60 });
      await sqs().receiveMessage({ QueueUrl });
      const { Attributes } = await sqs().getQueueAttributes({ QueueUrl, AttributeNames: ['All'] });
      expect(Attributes?.ApproximateNumberOfMessages).toBe('1');
      expect(Attributes?.ApproximateNumberOfMessagesNotVisible).toBe('1');
      expect(Attributes?.ApproximateNumberOfMessagesDelayed).toBe('1');
    });

    it('sets attributes and validates every range', async () => {
      const { QueueUrl } = await sqs().createQueue({ QueueName: name('set') });
      await sqs().setQueueAttributes({
        QueueUrl,
        Attributes: {
          VisibilityTimeout: '43200',
          DelaySeconds: '900',
          MaximumMessageSize: '1024',
          MessageRetentionPeriod: '1209600',
          ReceiveMessageWaitTimeSeconds: '20',
        },
      });
      const { Attributes } = await sqs().getQueueAttributes({ QueueUrl, AttributeNames: ['All'] });
      expect(Attributes).toMatchObject({
        VisibilityTimeout: '43200',
        DelaySeconds: '900',
        MaximumMessageSize: '1024',
        MessageRetentionPeriod: '1209600',
        ReceiveMessageWaitTimeSeconds: '20',
      });
      const bad: [string, string][] = [
        ['VisibilityTimeout', '43201'],
        ['VisibilityTimeout', '-1'],
        ['DelaySeconds', '901'],
        ['MaximumMessageSize', '1023'],
        ['MaximumMessageSize', '1048577'],
        ['MessageRetentionPeriod', '59'],
        ['MessageRetentionPeriod', '1209601'],
        ['ReceiveMessageWaitTimeSeconds', '21'],
        ['VisibilityTimeout', 'abc'],
        ['KmsDataKeyReusePeriodSeconds', '59'],
        ['SqsManagedSseEnabled', 'yes'],
        ['Policy', 'not json'],
      ];
      for (const [attr, value] of bad) {
        const err = await errorOf(() => sqs().setQueueAttributes({ QueueUrl, Attributes: { [attr]: value } }));
        expect(`${attr}=${value}: ${err.code}`).toBe(`${attr}=${value}: InvalidAttributeValue`);
      }
      for (const attr of ['Bogus', 'FifoQueue', 'ContentBasedDeduplication', 'QueueArn']) {
        const err = await errorOf(() => sqs().setQueueAttributes({ QueueUrl, Attributes: { [attr]: 'true' } }));
        expect(`${attr}: ${err.code}`).toBe(`${attr}: InvalidAttributeName`);
      }
    });

    it('keeps policies and removes them with an empty value', async () => {
      const { QueueUrl } = await sqs().createQueue({ QueueName: name('policy') });
      const Policy = JSON.stringify({ Version: '2012-10-17', Statement: [] });
      await sqs().setQueueAttributes({ QueueUrl, Attributes: { Policy } });
      expect((await sqs().getQueueAttributes({ QueueUrl, AttributeNames: ['Policy'] })).Attributes?.Policy).toBe(
        Policy,
      );
      await sqs().setQueueAttributes({ QueueUrl, Attributes: { Policy: '' } });
      expect((await sqs().getQueueAttributes({ QueueUrl, AttributeNames: ['Policy'] })).Attributes ?? {}).toEqual({});
    });
  });

  describe('PurgeQueue', () => {
    it('removes available and in-flight messages, and refuses a second purge within 60 seconds', async () => {
      const { QueueUrl } = await sqs().createQueue({ QueueName: name('purge') });
      await sqs().sendMessageBatch({
        QueueUrl,
        Entries: [1, 2, 3].map((i) => ({ Id: `m${i}`, MessageBody: `b${i}` })),
      });
      await sqs().receiveMessage({ QueueUrl });
      await sqs().purgeQueue({ QueueUrl });
      const { Attributes } = await sqs().getQueueAttributes({ QueueUrl, AttributeNames: ['All'] });
      expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
      expect(Attributes?.ApproximateNumberOfMessagesNotVisible).toBe('0');
      const again = await errorOf(() => sqs().purgeQueue({ QueueUrl }));
      expect(again.code).toBe('PurgeQueueInProgress');
      expect(again.$metadata?.httpStatusCode).toBe(403);
      await sqs().sendMessage({ QueueUrl, MessageBody: 'after' });
      expect((await sqs().receiveMessage({ QueueUrl })).Messages?.[0]?.Body).toBe('after');
    });
  });

  describe('tags', () => {
    it('adds, overwrites, lists and removes tags', async () => {
      const { QueueUrl } = await sqs().createQueue({ QueueName: name('tagq') });
      expect((await sqs().listQueueTags({ QueueUrl })).Tags ?? {}).toEqual({});
      await sqs().tagQueue({ QueueUrl, Tags: { a: '1', b: '2' } });
      await sqs().tagQueue({ QueueUrl, Tags: { a: '3', C: '' } });
      expect((await sqs().listQueueTags({ QueueUrl })).Tags).toEqual({ a: '3', b: '2', C: '' });
      await sqs().untagQueue({ QueueUrl, TagKeys: ['b', 'missing'] });
      expect((await sqs().listQueueTags({ QueueUrl })).Tags).toEqual({ a: '3', C: '' });
      const missing = `${svc().url}/000000000000/${name('none')}`;
      expect((await errorOf(() => sqs().tagQueue({ QueueUrl: missing, Tags: { a: 'b' } }))).code).toBe(
        'QueueDoesNotExist',
      );
      expect((await errorOf(() => sqs().listQueueTags({ QueueUrl: missing }))).code).toBe('QueueDoesNotExist');
    });
  });

  describe('AddPermission and RemovePermission', () => {
    it('writes statements into the queue Policy and removes them by label', async () => {
      const n = name('perm');
      const { QueueUrl } = await sqs().createQueue({ QueueName: n });
      await sqs().addPermission({
        QueueUrl,
        Label: 'send',
        AWSAccountIds: ['111122223333'],
        Actions: ['SendMessage'],
      });
      await sqs().addPermission({
        QueueUrl,
        Label: 'both',
        AWSAccountIds: ['111122223333', '444455556666'],
        Actions: ['ReceiveMessage', 'DeleteMessage'],
      });
      const read = async () => {
        const p = (await sqs().getQueueAttributes({ QueueUrl, AttributeNames: ['Policy'] })).Attributes?.Policy;
        return p ? (JSON.parse(p) as { Statement: { Sid: string; Principal: unknown; Action: unknown }[] }) : undefined;
      };
      const policy = await read();
      expect(policy?.Statement.map((s) => s.Sid)).toEqual(['send', 'both']);
      expect(policy?.Statement[0]).toMatchObject({
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:root' },
        Action: 'SQS:SendMessage',
        Resource: `arn:aws:sqs:us-east-1:000000000000:${n}`,
      });
      expect(policy?.Statement[1]?.Action).toEqual(['SQS:ReceiveMessage', 'SQS:DeleteMessage']);

      const dup = await errorOf(() =>
        sqs().addPermission({ QueueUrl, Label: 'send', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] }),
      );
      expect(dup.code).toBe('InvalidParameterValue');
      await sqs().removePermission({ QueueUrl, Label: 'send' });
      expect((await read())?.Statement.map((s) => s.Sid)).toEqual(['both']);
      await sqs().removePermission({ QueueUrl, Label: 'both' });
      expect(await read()).toBeUndefined();
      const gone = await errorOf(() => sqs().removePermission({ QueueUrl, Label: 'both' }));
      expect(gone.code).toBe('InvalidParameterValue');
    });
  });

  describe('ListDeadLetterSourceQueues', () => {
    it('lists the queues whose RedrivePolicy targets the queue', async () => {
      const dlqName = name('dlq');
      const { QueueUrl: dlq } = await sqs().createQueue({ QueueName: dlqName });
      const RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: `arn:aws:sqs:us-east-1:000000000000:${dlqName}`,
        maxReceiveCount: 3,
      });
      const sources = [name('src-a'), name('src-b')];
      for (const s of sources) await sqs().createQueue({ QueueName: s, Attributes: { RedrivePolicy } });
      await sqs().createQueue({ QueueName: name('unrelated') });
      const { queueUrls } = await sqs().listDeadLetterSourceQueues({ QueueUrl: dlq });
      expect(queueUrls?.map((u) => u.split('/').pop()).sort()).toEqual([...sources].sort());
    });
  });
});
