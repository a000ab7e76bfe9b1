import { describe, expect, it } from 'vitest';
import { md5Hex, md5OfAttributes } from '../../src/sqs/md5.js';

// Digests that AWS returns for these inputs, as pinned by moto's SQS test suite and the SQS API
// reference examples.
describe('MD5 checksums', () => {
  it('of the body is the hex MD5 of its UTF-8 bytes', () => {
    expect(md5Hex('This is a test message')).toBe('fafb00f5732ab283681e124bf8747ed1');
    expect(md5Hex('derp')).toBe('58fd9edd83341c29f1aebba81c31e257');
  });

  it.each([
    ['timestamp', '1493147359900', '235c5c510d26fb653d073faed50ae77c'],
    ['timestamp', '1493147359901', '994258b45346a2cc3f9cbb611aa7af30'],
    ['SOME_Valid.attribute-Name', '1493147359900', '36655e7e9d7c0e8479fa3f3f42247ae7'],
  ])('of a Number attribute %s=%s is %s', (name, value, digest) => {
    expect(md5OfAttributes({ [name]: { DataType: 'Number', StringValue: value } })).toBe(digest);
  });

  it('sorts attributes by name, whatever order they were given in', () => {
    const a = { DataType: 'String', StringValue: 'x' };
    const b = { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) };
    expect(md5OfAttributes({ zz: a, aa: b })).toBe(md5OfAttributes({ aa: b, zz: a }));
  });

  it('encodes binary values with transport byte 2 and raw bytes', () => {
    const expected = Buffer.concat([
      Buffer.from([0, 0, 0, 3]),
      Buffer.from('bin'),
      Buffer.from([0, 0, 0, 6]),
      Buffer.from('Binary'),
      Buffer.from([2]),
      Buffer.from([0, 0, 0, 2]),
      Buffer.from('hi'),
    ]);
    expect(md5OfAttributes({ bin: { DataType: 'Binary', BinaryValue: Buffer.from('hi') } })).toBe(md5Hex(expected));
  });

  it('counts custom type suffixes and multi-byte characters by their UTF-8 bytes', () => {
    const expected = Buffer.concat([
      Buffer.from([0, 0, 0, 1]),
      Buffer.from('n'),
      Buffer.from([0, 0, 0, 12]),
      Buffer.from('String.été'),
      Buffer.from([1]),
      Buffer.from([0, 0, 0, 4]),
      Buffer.from('€x'),
    ]);
    expect(md5OfAttributes({ n: { DataType: 'String.été', StringValue: '€x' } })).toBe(md5Hex(expected));
  });
});
