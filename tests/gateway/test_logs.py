import logging

from gateway.logs import RedactTokens


def _record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, msg, args, None)


def test_tokens_in_logged_paths_are_redacted() -> None:
    record = _record('%s - "WebSocket %s" [accepted]', "127.0.0.1:5", "/v1/ws?token=eyJ.abc.def&after_seq=4")
    assert RedactTokens().filter(record)
    assert record.getMessage() == '127.0.0.1:5 - "WebSocket /v1/ws?token=[redacted]&after_seq=4" [accepted]'


def test_other_messages_are_left_alone() -> None:
    record = _record("listening on %s", "http://127.0.0.1:8000/?tokens=3&mytoken=x")
    assert RedactTokens().filter(record)
    assert record.getMessage() == "listening on http://127.0.0.1:8000/?tokens=3&mytoken=x"
