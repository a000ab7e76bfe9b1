#!/usr/bin/env python3
"""The client-generations scenario, run by whichever boto3 the interpreter has (boto3 and stdlib only).

    python3 scenario.py ENDPOINT   runs the scenario against ENDPOINT; prints one JSON object
                                   (versions, protocol, what was checked) and exits 0, or prints
                                   "scenario failed at <step>: <why>" on stderr and exits 1
    python3 scenario.py --probe    prints the boto3/botocore versions and the protocol of the
                                   client's SQS model, without any request (exit 3: no boto3)

Credentials, region and endpoint are passed explicitly (the test also gives it an empty HOME).
boto3 releases from before June 2023 have no message move task operations: for them the
operations are merged into the client's own model from models/ (botocore sdk-extras through
AWS_DATA_PATH), in the query-protocol form that botocore releases of mid-2023 carried, and the
result says so.
"""
import hashlib
import json
import os
import struct
import sys
import time

MODELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")
MOVE_OPERATIONS = ("StartMessageMoveTask", "ListMessageMoveTasks")

try:
    import boto3
    import botocore
    import botocore.session
    from botocore.config import Config
except ImportError as err:
    print(json.dumps({"error": f"boto3 is not installed for {sys.executable}: {err}"}))
    sys.exit(3)

# Non-ASCII in the BMP and beyond it (a surrogate pair in UTF-16), XML's special characters, a tab
# and a CR LF (which XML parsers turn into LF unless the service escapes the CR).
TEXT = "héllo ✓ 日本"
BODY = 'body héllo ✓ 日本 🎉 <tag a="1"> & \'quoted\' \ttab\r\nline'
BINARY = bytes([0, 1, 127, 128, 255]) + "✓ 日本".encode("utf-8")


def model_info():
    """The client's SQS model as shipped: its protocol and whether it has the move task operations."""
    model = botocore.session.get_session().get_service_model("sqs")
    return {
        "python": sys.executable,
        "pythonVersion": sys.version.split()[0],
        "boto3": boto3.__version__,
        "boto3Path": os.path.dirname(boto3.__file__),
        "botocore": botocore.__version__,
        "protocol": model.metadata.get("protocol"),
        "moveTasksInModel": all(op in model.operation_names for op in MOVE_OPERATIONS),
    }


class ScenarioError(Exception):
    pass


step = "start"


def check(condition, what, got=None):
    if not condition:
        if isinstance(got, dict):
            got = {k: v for k, v in got.items() if k != "ResponseMetadata"}
        detail = "" if got is None else f" (got {got!r})"
        raise ScenarioError(f"{what}{detail}")


def md5_hex(data):
    return hashlib.md5(data).hexdigest()


def md5_of_attributes(attributes):
    """MD5OfMessageAttributes as SQS documents it: names sorted; for each, the length-prefixed
    (4-byte big-endian) UTF-8 name and data type, a transport byte (1 string, 2 binary) and the
    length-prefixed value bytes."""
    out = bytearray()

    def prefixed(data):
        out.extend(struct.pack(">I", len(data)))
        out.extend(data)

    for name in sorted(attributes):
        attribute = attributes[name]
        prefixed(name.encode("utf-8"))
        prefixed(attribute["DataType"].encode("utf-8"))
        if "BinaryValue" in attribute:
            out.append(2)
            prefixed(attribute["BinaryValue"])
        else:
            out.append(1)
            prefixed(attribute["StringValue"].encode("utf-8"))
    return md5_hex(bytes(out))


ATTRIBUTES = {
    "text": {"DataType": "String", "StringValue": TEXT},
    "count": {"DataType": "Number", "StringValue": "-12.5e3"},
    "blob": {"DataType": "Binary", "BinaryValue": BINARY},
    "label": {"DataType": "String.label", "StringValue": "日本"},
}


def check_message(message, body, attributes, what):
    check(message.get("Body") == body, f"{what}: Body round-trips exactly", message.get("Body"))
    check(
        message.get("MD5OfBody") == md5_hex(body.encode("utf-8")),
        f"{what}: MD5OfBody is the MD5 of the UTF-8 body {md5_hex(body.encode('utf-8'))}",
        message.get("MD5OfBody"),
    )
    if attributes:
        check(
            message.get("MessageAttributes") == attributes,
            f"{what}: MessageAttributes round-trip exactly",
            message.get("MessageAttributes"),
        )
        check(
            message.get("MD5OfMessageAttributes") == md5_of_attributes(attributes),
            f"{what}: MD5OfMessageAttributes is {md5_of_attributes(attributes)}",
            message.get("MD5OfMessageAttributes"),
        )


def receive_one(sqs, url, what, **extra):
    got = sqs.receive_message(
        QueueUrl=url, AttributeNames=["All"], MessageAttributeNames=["All"], MaxNumberOfMessages=10, **extra
    ).get("Messages", [])
    check(len(got) == 1, f"{what}: one message received", len(got))
    return got[0]


def run(endpoint, info):
    global step
    os.environ.pop("AWS_DATA_PATH", None)
    if not info["moveTasksInModel"]:
        os.environ["AWS_DATA_PATH"] = MODELS
    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    config = Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=20)
    sqs = session.client("sqs", endpoint_url=endpoint, config=config)
    check(
        all(op in sqs.meta.service_model.operation_names for op in MOVE_OPERATIONS),
        "the move task operations are in the client's model",
    )
    tag = f"py{info['boto3'].replace('.', '')}-{os.getpid()}-{int(time.time() * 1000) % 10**9}"
    checked = []

    step = "create queues"
    std = sqs.create_queue(QueueName=f"{tag}-std")["QueueUrl"]
    fifo = sqs.create_queue(QueueName=f"{tag}-fifo.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    check(
        std.endswith(f"/{tag}-std") and fifo.endswith(f"/{tag}-fifo.fifo"), "queue URLs end in the names", [std, fifo]
    )
    checked.append("create standard and FIFO queues")

    step = "an error"
    try:
        sqs.get_queue_url(QueueName=f"{tag}-missing")
        code = None
    except sqs.exceptions.QueueDoesNotExist as err:
        code = err.response["Error"]["Code"]
    check(code == "AWS.SimpleQueueService.NonExistentQueue", "GetQueueUrl of a missing queue: QueueDoesNotExist", code)
    checked.append("an error: QueueDoesNotExist, as the client models it")

    step = "standard: send"
    sent = sqs.send_message(QueueUrl=std, MessageBody=BODY, MessageAttributes=ATTRIBUTES)
    body_md5, attributes_md5 = md5_hex(BODY.encode("utf-8")), md5_of_attributes(ATTRIBUTES)
    check(sent.get("MD5OfMessageBody") == body_md5, f"SendMessage MD5OfMessageBody is {body_md5}", sent)
    check(
        sent.get("MD5OfMessageAttributes") == attributes_md5,
        f"SendMessage MD5OfMessageAttributes is {attributes_md5}",
        sent,
    )
    checked.append("send with String/Number/Binary/custom attributes, non-ASCII; MD5s of the send")

    step = "standard: receive"
    message = receive_one(sqs, std, "standard receive")
    check(message.get("MessageId") == sent["MessageId"], "the received MessageId is the sent one", message)
    check_message(message, BODY, ATTRIBUTES, "standard receive")
    system = message.get("Attributes", {})
    for name in ("SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"):
        check(name in system, f"system attribute {name} with All", system)
    check(system["ApproximateReceiveCount"] == "1", "ApproximateReceiveCount is 1", system)
    check(system["SentTimestamp"].isdigit(), "SentTimestamp is epoch milliseconds", system)
    checked.append("receive All/All: body, attributes, MD5OfBody, MD5OfMessageAttributes, system attributes")

    step = "standard: delete"
    sqs.delete_message(QueueUrl=std, ReceiptHandle=message["ReceiptHandle"])
    counts = sqs.get_queue_attributes(
        QueueUrl=std, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    empty = {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}
    check(counts == empty, "the deleted message is gone", counts)
    checked.append("delete")

    step = "FIFO: send"
    fifo_body = f"fifo {BODY}"
    first = sqs.send_message(
        QueueUrl=fifo, MessageBody=fifo_body, MessageAttributes=ATTRIBUTES,
        MessageGroupId="group-1", MessageDeduplicationId="dedup-1",
    )
    check(str(first.get("SequenceNumber", "")).isdigit(), "SendMessage returns a numeric SequenceNumber", first)
    again = sqs.send_message(
        QueueUrl=fifo, MessageBody=fifo_body, MessageGroupId="group-1", MessageDeduplicationId="dedup-1"
    )
    check(again.get("MessageId") == first["MessageId"], "a duplicate send returns the first MessageId", again)

    step = "FIFO: receive"
    message = receive_one(sqs, fifo, "FIFO receive")
    check_message(message, fifo_body, ATTRIBUTES, "FIFO receive")
    system = message.get("Attributes", {})
    check(system.get("MessageGroupId") == "group-1", "MessageGroupId", system)
    check(system.get("MessageDeduplicationId") == "dedup-1", "MessageDeduplicationId", system)
    check(system.get("SequenceNumber") == first["SequenceNumber"], "SequenceNumber is the send's", system)
    sqs.delete_message(QueueUrl=fifo, ReceiptHandle=message["ReceiptHandle"])
    checked.append("FIFO: group and deduplication ids, SequenceNumber, deduplicated resend, delete")

    step = "redrive to a dead-letter queue"
    dlq = sqs.create_queue(QueueName=f"{tag}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})
    src = sqs.create_queue(QueueName=f"{tag}-src", Attributes={"RedrivePolicy": policy})["QueueUrl"]
    src_arn = sqs.get_queue_attributes(QueueUrl=src, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    poison = f"poison {BODY}"
    sent = sqs.send_message(QueueUrl=src, MessageBody=poison, MessageAttributes=ATTRIBUTES)
    receive_one(sqs, src, "first receive from the source", VisibilityTimeout=0)
    again = sqs.receive_message(QueueUrl=src, VisibilityTimeout=0).get("Messages", [])
    check(again == [], "the second receive moves the message to the dead-letter queue", again)
    sources = sqs.list_dead_letter_source_queues(QueueUrl=dlq).get("queueUrls", [])
    check(sources == [src], "ListDeadLetterSourceQueues lists the source", sources)
    dead = receive_one(sqs, dlq, "receive from the dead-letter queue", VisibilityTimeout=0)
    check(dead.get("MessageId") == sent["MessageId"], "the dead letter keeps its MessageId", dead)
    check_message(dead, poison, ATTRIBUTES, "dead letter")
    check(dead["Attributes"].get("DeadLetterQueueSourceArn") == src_arn, "DeadLetterQueueSourceArn", dead["Attributes"])
    checked.append("redrive after maxReceiveCount 1, ListDeadLetterSourceQueues, DeadLetterQueueSourceArn")

    step = "message move task back to the source"
    handle = sqs.start_message_move_task(SourceArn=dlq_arn).get("TaskHandle")
    check(bool(handle), "StartMessageMoveTask returns a TaskHandle", handle)
    deadline = time.monotonic() + 15
    while True:
        tasks = sqs.list_message_move_tasks(SourceArn=dlq_arn).get("Results", [])
        if tasks and tasks[0].get("Status") in ("COMPLETED", "FAILED", "CANCELLED"):
            break
        check(time.monotonic() < deadline, "the move task ends within 15 s", tasks)
        time.sleep(0.05)
    task = tasks[0]
    check(task.get("Status") == "COMPLETED", "ListMessageMoveTasks shows COMPLETED", task)
    check(task.get("SourceArn") == dlq_arn, "the task's SourceArn", task)
    check(task.get("ApproximateNumberOfMessagesMoved") == 1, "one message moved", task)
    check(isinstance(task.get("StartedTimestamp"), int), "StartedTimestamp is a number", task)
    back = receive_one(sqs, src, "receive from the source after the move")
    check_message(back, poison, ATTRIBUTES, "moved message")
    check(back["Attributes"].get("ApproximateReceiveCount") == "1", "the moved message is new", back["Attributes"])
    left = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    check(left["ApproximateNumberOfMessages"] == "0", "the dead-letter queue is empty", left)
    sqs.delete_message(QueueUrl=src, ReceiptHandle=back["ReceiptHandle"])
    checked.append("StartMessageMoveTask back to the source, ListMessageMoveTasks COMPLETED, message intact")

    step = "clean up"
    for url in (std, fifo, src, dlq):
        sqs.delete_queue(QueueUrl=url)

    return {
        **info,
        "moveTaskOperations": "client model" if info["moveTasksInModel"] else "merged from test/clients/models",
        "queuePrefix": tag,
        "checked": checked,
    }


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    info = model_info()
    if argv[1] == "--probe":
        print(json.dumps(info))
        return 0
    try:
        result = run(argv[1], info)
    except ScenarioError as err:
        print(f"scenario failed at {step}: {err}", file=sys.stderr)
        return 1
    except botocore.exceptions.BotoCoreError as err:
        print(f"scenario failed at {step}: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    except botocore.exceptions.ClientError as err:
        print(f"scenario failed at {step}: {err}", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
