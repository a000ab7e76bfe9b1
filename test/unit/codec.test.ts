import { describe, expect, it } from 'vitest';
import { SqsError } from '../../src/errors.js';
import { decodeJsonInput, decodeQueryInput } from '../../src/protocol/decode.js';
import {
  buildXmlOutput,
  encodeJsonOutput,
  encodeXmlError,
  encodeXmlOutput,
  writeXmlOutput,
  XML_NS,
} from '../../src/protocol/encode.js';
import { OPERATIONS } from '../../src/protocol/model.js';
import type { Shape } from '../../src/protocol/shapes.js';
import { parseXml, parseXmlError } from '../helpers/xml.js';

const params = (q: string): [string, string][] => [...new URLSearchParams(q)];

describe('query decoding', () => {
  it('turns flattened SendMessage parameters into the JSON-shaped input', () => {
    const input = decodeQueryInput(
      OPERATIONS.SendMessage.input,
      params(
        'Action=SendMessage&QueueUrl=http%3A%2F%2Fh%2F000000000000%2Fq&MessageBody=a+b%26c&DelaySeconds=5' +
          '&MessageAttribute.2.Name=bin&MessageAttribute.2.Value.DataType=Binary&MessageAttribute.2.Value.BinaryValue=aGk%3D' +
          '&MessageAttribute.1.Name=n&MessageAttribute.1.Value.DataType=Number&MessageAttribute.1.Value.StringValue=1' +
          '&MessageSystemAttribute.1.Name=AWSTraceHeader&MessageSystemAttribute.1.Value.DataType=String' +
          '&MessageSystemAttribute.1.Value.StringValue=Root%3D1',
      ),
    );
    expect(input).toEqual({
      QueueUrl: 'http://h/000000000000/q',
      MessageBody: 'a b&c',
      DelaySeconds: 5,
      MessageAttributes: {
        n: { DataType: 'Number', StringValue: '1' },
        bin: { DataType: 'Binary', BinaryValue: Buffer.from('hi') },
      },
      MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1' } },
    });
  });

  it('orders list members by index, not by position in the request', () => {
    const input = decodeQueryInput(
      OPERATIONS.DeleteMessageBatch.input,
      params(
        'QueueUrl=u&DeleteMessageBatchRequestEntry.10.Id=j&DeleteMessageBatchRequestEntry.10.ReceiptHandle=rj' +
          '&DeleteMessageBatchRequestEntry.2.Id=b&DeleteMessageBatchRequestEntry.2.ReceiptHandle=rb',
      ),
    );
    expect(input).toEqual({
      QueueUrl: 'u',
      Entries: [
        { Id: 'b', ReceiptHandle: 'rb' },
        { Id: 'j', ReceiptHandle: 'rj' },
      ],
    });
  });

  it('reads Attribute.N.Name/Value and Tag.N.Key/Value maps', () => {
    const input = decodeQueryInput(
      OPERATIONS.CreateQueue.input,
      params('QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=3&Tag.1.Key=team&Tag.1.Value=x'),
    );
    expect(input).toEqual({ QueueName: 'q', Attributes: { DelaySeconds: '3' }, tags: { team: 'x' } });
  });

  it('reports the missing required member by its model name', () => {
    expect(() => decodeQueryInput(OPERATIONS.SendMessage.input, params('QueueUrl=u'))).toThrow(
      expect.objectContaining({
        code: 'MissingRequiredParameterException',
        message: expect.stringContaining('MessageBody'),
      }),
    );
  });

  it('rejects non-integers in integer members', () => {
    expect(() =>
      decodeQueryInput(OPERATIONS.ReceiveMessage.input, params('QueueUrl=u&MaxNumberOfMessages=abc')),
    ).toThrow(expect.objectContaining({ code: 'InvalidParameterValueException' }));
  });
});

describe('JSON decoding', () => {
  it('keeps known members, decodes base64 blobs and ignores unknown members', () => {
    const input = decodeJsonInput(OPERATIONS.SendMessage.input, {
      QueueUrl: 'u',
      MessageBody: 'b',
      Extra: 1,
      MessageAttributes: { b: { DataType: 'Binary', BinaryValue: 'AAEC' } },
    });
    expect(input).toEqual({
      QueueUrl: 'u',
      MessageBody: 'b',
      MessageAttributes: { b: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2]) } },
    });
  });

  it.each([
    ['a string for an integer', { QueueUrl: 'u', MaxNumberOfMessages: '5' }],
    ['a fraction for an integer', { QueueUrl: 'u', MaxNumberOfMessages: 1.5 }],
    ['an object for a list', { QueueUrl: 'u', AttributeNames: { a: 1 } }],
    ['a number for a string', { QueueUrl: 7 }],
  ])('rejects %s', (_, body) => {
    expect(() => decodeJsonInput(OPERATIONS.ReceiveMessage.input, body)).toThrow(
      expect.objectContaining({ code: 'InvalidParameterValueException' }),
    );
  });
});

describe('encoding', () => {
  const received = {
    Messages: [
      {
        MessageId: 'm-1',
        ReceiptHandle: 'rh',
        MD5OfBody: 'md5',
        Body: 'a<b>&"c"\r\n',
        Attributes: { SenderId: 'me' },
        MD5OfMessageAttributes: 'md5a',
        MessageAttributes: {
          s: { DataType: 'String', StringValue: 'v' },
          b: { DataType: 'Binary', BinaryValue: Buffer.from('hi') },
        },
      },
    ],
  };

  it('writes ReceiveMessage as query-protocol XML (golden)', () => {
    const out = encodeXmlOutput('ReceiveMessage', OPERATIONS.ReceiveMessage.output, received, 'r-1');
    expect(out.contentType).toBe('text/xml');
    expect(out.body).toBe(
      '<?xml version="1.0"?><ReceiveMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">' +
        '<ReceiveMessageResult><Message><MessageId>m-1</MessageId><ReceiptHandle>rh</ReceiptHandle>' +
        '<MD5OfBody>md5</MD5OfBody><Body>a&lt;b&gt;&amp;&quot;c&quot;&#xD;\n</Body>' +
        '<Attribute><Name>SenderId</Name><Value>me</Value></Attribute><MD5OfMessageAttributes>md5a</MD5OfMessageAttributes>' +
        '<MessageAttribute><Name>s</Name><Value><StringValue>v</StringValue><DataType>String</DataType></Value></MessageAttribute>' +
        '<MessageAttribute><Name>b</Name><Value><BinaryValue>aGk=</BinaryValue><DataType>Binary</DataType></Value></MessageAttribute>' +
        '</Message></ReceiveMessageResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></ReceiveMessageResponse>',
    );
  });

  it('writes ReceiveMessage as JSON 1.0 (golden)', () => {
    const out = encodeJsonOutput(OPERATIONS.ReceiveMessage.output, received);
    expect(out.contentType).toBe('application/x-amz-json-1.0');
    expect(JSON.parse(out.body)).toEqual({
      Messages: [
        {
          MessageId: 'm-1',
          ReceiptHandle: 'rh',
          MD5OfBody: 'md5',
          Body: 'a<b>&"c"\r\n',
          Attributes: { SenderId: 'me' },
          MD5OfMessageAttributes: 'md5a',
          MessageAttributes: {
            s: { DataType: 'String', StringValue: 'v' },
            b: { DataType: 'Binary', BinaryValue: 'aGk=' },
          },
        },
      ],
    });
  });

  it('writes an action without output as an empty result', () => {
    expect(encodeJsonOutput(OPERATIONS.DeleteMessage.output, {}).body).toBe('{}');
    expect(encodeXmlOutput('DeleteMessage', OPERATIONS.DeleteMessage.output, {}, 'r').body).toBe(
      '<?xml version="1.0"?><DeleteMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">' +
        '<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteMessageResponse>',
    );
  });

  it('reads back with an XML parser as the output it was written from, CR included', () => {
    const out = encodeXmlOutput('ReceiveMessage', OPERATIONS.ReceiveMessage.output, received, 'r-1');
    expect(parseXml(out.body)).toEqual({
      root: 'ReceiveMessageResponse',
      xmlns: XML_NS,
      version: '1.0',
      body: {
        ReceiveMessageResult: {
          Message: [
            {
              MessageId: 'm-1',
              ReceiptHandle: 'rh',
              MD5OfBody: 'md5',
              Body: 'a<b>&"c"\r\n',
              Attribute: [{ Name: 'SenderId', Value: 'me' }],
              MD5OfMessageAttributes: 'md5a',
              MessageAttribute: [
                { Name: 's', Value: { StringValue: 'v', DataType: 'String' } },
                { Name: 'b', Value: { BinaryValue: 'aGk=', DataType: 'Binary' } },
              ],
            },
          ],
        },
        ResponseMetadata: { RequestId: 'r-1' },
      },
    });
  });

  it.each([
    ['empty', ''],
    ['spaces around', '  a  b  '],
    ['CR', '\r'],
    ['CRLF', 'x\r\ny'],
    ['LF and tab', '\n\t'],
    ['quotes', `'"'"`],
    ['markup', '<a href="x">&amp;</a>'],
    ['a character reference as text', '&#xD;&#13;'],
    ['CDATA end and comment', ']]><!-- c -->'],
    ['non-ASCII', 'é ü 日本 🎉'],
  ])('keeps a body that is %s exactly through the XML writer and a parser', (_, body) => {
    const out = encodeXmlOutput(
      'ReceiveMessage',
      OPERATIONS.ReceiveMessage.output,
      {
        Messages: [
          {
            MessageId: 'm',
            Body: body,
            MessageAttributes: { [body || 'k']: { DataType: 'String', StringValue: body } },
          },
        ],
      },
      'r',
    );
    const result = parseXml(out.body).body.ReceiveMessageResult;
    expect(result).toEqual({
      Message: [
        {
          MessageId: 'm',
          Body: body,
          MessageAttribute: [{ Name: body || 'k', Value: { StringValue: body, DataType: 'String' } }],
        },
      ],
    });
  });

  it('writes an empty result element, empty strings, zeros and no element for an empty list (golden)', () => {
    const wrap = (action: string, inner: string) =>
      `<?xml version="1.0"?><${action}Response xmlns="${XML_NS}">${inner}` +
      `<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></${action}Response>`;
    expect(encodeXmlOutput('ListQueues', OPERATIONS.ListQueues.output, { QueueUrls: [] }, 'r').body).toBe(
      wrap('ListQueues', '<ListQueuesResult></ListQueuesResult>'),
    );
    expect(
      encodeXmlOutput(
        'CancelMessageMoveTask',
        OPERATIONS.CancelMessageMoveTask.output,
        { ApproximateNumberOfMessagesMoved: 0 },
        'r',
      ).body,
    ).toBe(
      wrap(
        'CancelMessageMoveTask',
        '<CancelMessageMoveTaskResult><ApproximateNumberOfMessagesMoved>0</ApproximateNumberOfMessagesMoved></CancelMessageMoveTaskResult>',
      ),
    );
    expect(
      encodeXmlOutput(
        'ReceiveMessage',
        OPERATIONS.ReceiveMessage.output,
        { Messages: [{ MessageId: 'm', Body: '', Attributes: {} }] },
        'r',
      ).body,
    ).toBe(
      wrap(
        'ReceiveMessage',
        '<ReceiveMessageResult><Message><MessageId>m</MessageId><Body></Body></Message></ReceiveMessageResult>',
      ),
    );
  });

  it('writes an error that a parser reads back with its message exactly (Detail empty)', () => {
    const message = `Value "a'b" <c> & d\r\n is invalid.`;
    const out = encodeXmlError(new SqsError('InvalidParameterValueException', message), 'req-1');
    expect(parseXmlError(out.body)).toEqual({
      root: 'ErrorResponse',
      xmlns: XML_NS,
      version: '1.0',
      type: 'Sender',
      code: 'InvalidParameterValue',
      message,
      detail: '',
      requestId: 'req-1',
    });
  });

  it('flattens lists and writes batch failures with SenderFault', () => {
    const out = encodeXmlOutput(
      'DeleteMessageBatch',
      OPERATIONS.DeleteMessageBatch.output,
      {
        Successful: [{ Id: 'a' }],
        Failed: [{ Id: 'b', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'm' }],
      },
      'r',
    );
    expect(out.body).toContain(
      '<DeleteMessageBatchResult><DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry>' +
        '<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault><Code>ReceiptHandleIsInvalid</Code>' +
        '<Message>m</Message></BatchResultErrorEntry></DeleteMessageBatchResult>',
    );
  });
});

/**
 * A value of `shape` with every member present: strings that need escaping, two list items and
 * map entries, both booleans over the calls; or, with `empty`, empty lists, maps and strings.
 */
function sample(shape: Shape, empty: boolean, seed = { n: 0 }): unknown {
  seed.n += 1;
  switch (shape.t) {
    case 'string':
      return empty ? '' : `v${seed.n} <&>"'\r\n\té`;
    case 'int':
      return empty ? 0 : seed.n;
    case 'bool':
      return seed.n % 2 === 0;
    case 'blob':
      return Buffer.from(empty ? '' : `blob ${seed.n}`);
    case 'list':
      return empty ? [] : [sample(shape.member, empty, seed), sample(shape.member, empty, seed)];
    case 'map':
      return empty
        ? {}
        : { [`k${seed.n}&<`]: sample(shape.value, empty, seed), [`k${seed.n}b`]: sample(shape.value, empty, seed) };
    case 'struct':
      return Object.fromEntries(Object.entries(shape.members).map(([k, m]) => [k, sample(m.shape, empty, seed)]));
  }
}

describe('the two XML writers', () => {
  it.each(Object.keys(OPERATIONS) as (keyof typeof OPERATIONS)[])(
    '%s: the hand-written writer and the builder write the same bytes',
    (action) => {
      const shape = OPERATIONS[action].output;
      for (const empty of [false, true]) {
        const output = sample(shape, empty) as object;
        const built = buildXmlOutput(action, shape, output, 'req-1');
        expect(writeXmlOutput(action, shape, output, 'req-1')).toBe(built);
        expect(encodeXmlOutput(action, shape, output, 'req-1').body).toBe(built);
        expect(parseXml(built).root).toBe(`${action}Response`);
      }
    },
  );
});
