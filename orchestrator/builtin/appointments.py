"""The demo bank's appointments (built-in handler ``appointments``): book a meeting with an adviser."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

from shared.actions import ActionRequest, ActionResult, ComponentUpdate, ReplyPart
from shared.events.components import Button, Card, Form, FormField, Option, QuickReplies
from shared.tenants import Tenant

BOOK_RE = re.compile(r"\b(appointment|book(ing)? (a |an )?(meeting|adviser|advisor)|meet an? advis[eo]r)\b", re.I)
BOOK_ACTION = "book_appointment"
TOPICS = [
    Option(label="Mortgage", value="mortgage"),
    Option(label="Savings and investments", value="savings"),
    Option(label="Open an account", value="account"),
    Option(label="Something else", value="other"),
]
TIMES = [f"{h:02d}:{m:02d}" for h in range(9, 17) for m in (0, 30)]
BOOK_AHEAD_DAYS = 30


def booking_form(today: date | None = None) -> Form:
    today = today or date.today()
    return Form(
        title="Book an appointment",
        action=BOOK_ACTION,
        submit_label="Book",
        fields=[
            FormField(name="topic", label="Topic", input="select", required=True, options=TOPICS),
            FormField(
                name="date",
                label="Date",
                input="date",
                required=True,
                min=(today + timedelta(days=1)).isoformat(),
                max=(today + timedelta(days=BOOK_AHEAD_DAYS)).isoformat(),
            ),
            FormField(
                name="time",
                label="Time",
                input="select",
                required=True,
                options=[Option(label=t, value=t) for t in TIMES],
            ),
            FormField(name="email", label="Email for the confirmation", input="email", required=True),
        ],
    )


def intent(text: str, tenant: Tenant) -> ReplyPart | None:
    if not BOOK_RE.search(text):
        return None
    return ReplyPart(
        text="Happy to set that up. Choose a topic, a weekday and a time, and an adviser will meet you.",
        components=[booking_form()],
    )


def handle(request: ActionRequest, tenant: Tenant) -> ActionResult:
    if request.name != BOOK_ACTION or not isinstance(request.value, dict):
        return ActionResult(reply=ReplyPart(text="Sorry, I can't do that here."))
    day = date.fromisoformat(request.value["date"])  # the form's own check made it a valid date
    if day.weekday() >= 5:
        return ActionResult(errors={"date": "Our advisers meet on weekdays only; please pick Monday to Friday."})
    topic = next((o.label for o in TOPICS if o.value == request.value["topic"]), "your question")
    when = f"{day.strftime('%A %-d %B %Y')} at {request.value['time']}"
    reference = "GB-" + hashlib.sha256(request.action_id.encode()).hexdigest()[:6].upper()
    confirmation = Card(
        id=f"booking-{request.action_id}",
        title="Appointment booked",
        subtitle=when,
        text=f"{topic} · reference {reference}. A confirmation is on its way to {request.value['email']}.",
    )
    return ActionResult(
        update=ComponentUpdate(disabled=True, status=f"Booked for {when}."),
        reply=ReplyPart(
            text=f"You're booked: {topic}, {when}.",
            components=[
                confirmation,
                QuickReplies(id=f"after-{request.action_id}", replies=[Button(label="What are your branch hours?")]),
            ],
        ),
    )
