/** The stored form of a message: a JSON header line, then the body as it is. */
import { describe, expect, it } from 'vitest';
import type { MessagePayload } from '../../src/domain.js';
import { decodePayload, encodePayload } from '../../src/store/payload.js';

const base: MessagePayload = {
  body: 'hello',
  md5Body: '5d41402abc4b2a76b9719d911017c592',
  senderId: 'S',
  sentTimestamp: 1,
};

describe('stored payload', () => {
  it('keeps the body out of the JSON header, unescaped', () => {
    const text = encodePayload({ ...base, body: 'line 1\nline "2"\n{"b":"x"}\\' });
    expect(text.slice(text.indexOf('\n') + 1)).toBe('line 1\nline "2"\n{"b":"x"}\\');
    expect(JSON.parse(text.slice(0, text.indexOf('\n')))).not.toHaveProperty('b');
  });

  it('round-trips bodies with newlines, unicode and every optional part', () => {
    const full: MessagePayload = {
      ...base,
      body: '\n\nstarts with newlines, emoji 😀, CJK 漢字, ends with newline\n',
      attributes: {
        s: { DataType: 'String', StringValue: 'a\nb' },
        n: { DataType: 'Number.int', StringValue: '42' },
        b: { DataType: 'Binary', BinaryValue: Buffer.from([0, 10, 255]) },
      },
      md5Attributes: 'ma',
      traceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793',
      md5System: 'mx',
      groupId: 'g\n1',
      dedupId: 'd',
      deadLetterSourceArn: 'arn:aws:sqs:us-east-1:000000000000:src',
    };
    expect(decodePayload(encodePayload(full))).toEqual(full);
    expect(decodePayload(encodePayload(base))).toEqual(base);
  });

  it('reads payloads stored by earlier versions (one JSON object, body in "b")', () => {
    const legacy = JSON.stringify({ b: 'old\nbody', m: base.md5Body, t: 7, i: 'S', g: 'grp' });
    expect(decodePayload(legacy)).toEqual({
      body: 'old\nbody',
      md5Body: base.md5Body,
      sentTimestamp: 7,
      senderId: 'S',
      groupId: 'grp',
    });
  });
});
