"""Dead letters: a message a consumer gave up on goes to SB_DLQ, byte for byte, never dropped silently.

The dead letter keeps the original payload as its data and the original headers (``Nats-*``
ones renamed, so they do not act on the DLQ stream), and says where it came from and why in
``Sb-Dlq-*`` headers. Its ``Nats-Msg-Id`` is ``<stream>:<seq>:<consumer>``: a consumer that
crashes between dead-lettering and acking stores it once. Replaying one is publishing its data
with its original headers to ``Sb-Dlq-Subject`` again.
"""

from __future__ import annotations

import logging
import traceback
from collections import Counter
from datetime import UTC, datetime

from nats.aio.msg import Msg
from nats.js import JetStreamContext

from shared import metrics
from shared.subjects import DLQ_STREAM, dlq_subject

log = logging.getLogger(__name__)

SUBJECT = "Sb-Dlq-Subject"
STREAM = "Sb-Dlq-Stream"
SEQ = "Sb-Dlq-Seq"
CONSUMER = "Sb-Dlq-Consumer"
DELIVERIES = "Sb-Dlq-Deliveries"
ERROR = "Sb-Dlq-Error"
WHERE = "Sb-Dlq-Where"
TIME = "Sb-Dlq-Time"
ORIGINAL_PREFIX = "Sb-Dlq-Orig-"
ERROR_MAX_CHARS = 500

# Dead letters per consumer since this process started (also switchboard_dead_letters_total).
DEAD_LETTERED: Counter[str] = Counter()


def describe(exc: BaseException) -> str:
    """``Type: first line of the message``, one line and short: no SQL parameters or visitor text after it."""
    cause = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error ...
    cause = cause.__cause__ or cause  # ... and its asyncpg adapter wraps asyncpg's
    lines = str(cause).strip().splitlines()
    text = f"{type(cause).__name__}: {lines[0]}" if lines else type(cause).__name__
    return text[:ERROR_MAX_CHARS]


def where(exc: BaseException) -> str:
    """``file:line in function`` of the innermost frame of ours (not a library's) that ``exc`` went through."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "site-packages" not in f.filename]
    if not frames:
        return "unknown"
    last = frames[-1]
    return f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno} in {last.name}"


def dead_letter_headers(msg: Msg, consumer: str, exc: BaseException, deliveries: int) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, value in (msg.headers or {}).items():
        headers[ORIGINAL_PREFIX + key if key.startswith("Nats-") else key] = value
    meta = msg.metadata
    headers |= {
        SUBJECT: msg.subject,
        STREAM: meta.stream,
        SEQ: str(meta.sequence.stream),
        CONSUMER: consumer,
        DELIVERIES: str(deliveries),
        ERROR: describe(exc),
        WHERE: where(exc),
        TIME: datetime.now(UTC).isoformat(),
        "Nats-Msg-Id": f"{meta.stream}:{meta.sequence.stream}:{consumer}",
    }
    return headers


async def dead_letter(js: JetStreamContext, msg: Msg, consumer: str, exc: BaseException, deliveries: int) -> None:
    """Store ``msg`` in SB_DLQ, then ack it where it came from; one ERROR line, no traceback.

    Raises if the dead letter could not be stored: the caller then leaves the message for a
    redelivery rather than losing it.
    """
    headers = dead_letter_headers(msg, consumer, exc, deliveries)
    await js.publish(dlq_subject(consumer, msg.subject), msg.data, headers=headers, stream=DLQ_STREAM)
    DEAD_LETTERED[consumer] += 1
    metrics.DEAD_LETTERS_FAMILY.labels(consumer).inc()
    log.error(
        "dead-lettered %s (%s seq %s) after %s tries by %s: %s at %s [dead letters of %s: %s]",
        msg.subject, headers[STREAM], headers[SEQ], deliveries, consumer, headers[ERROR], headers[WHERE],
        consumer, DEAD_LETTERED[consumer],
    )  # fmt: skip
    await msg.ack_sync()  # stored first: a crash in between dead-letters it again, once (Nats-Msg-Id)
