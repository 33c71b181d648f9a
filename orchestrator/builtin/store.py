"""The demo store (built-in handler ``store``): a product carousel, details, add to cart, order tracking."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from shared.actions import ActionRequest, ActionResult, ComponentUpdate, ReplyPart, ToolRequest
from shared.events.components import Button, Card, Carousel, Form, FormField, QuickReplies
from shared.tenants import Tenant


class Product(BaseModel):
    id: str
    name: str
    category: str
    price: str
    image: str | None = None
    description: str = ""


class Order(BaseModel):
    status: str
    detail: str
    email: str


class Catalog(BaseModel):
    products: list[Product] = Field(default_factory=list)
    orders: dict[str, Order] = Field(default_factory=dict)


@lru_cache(maxsize=16)
def _load(path: Path, mtime_ns: int) -> Catalog:
    return Catalog.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def catalog(tenant: Tenant) -> Catalog:
    """The tenant's catalog file, re-read when it changes; empty without one."""
    path = tenant.catalog
    if path is None or not path.is_file():
        return Catalog()
    return _load(path, path.stat().st_mtime_ns)


BROWSE_RE = re.compile(
    r"\b(browse|shop|catalog(ue)?|show me|see (your|the|some)|looking for|do you (sell|have)|what do you sell"
    r"|products?)\b",
    re.IGNORECASE,
)
TRACK_RE = re.compile(r"\b(track|where('s| is)|status of)\b.*\border\b|\border status\b", re.IGNORECASE)
ORDER_NUMBER_RE = re.compile(r"^[A-Z]\d{4}$")

TRACK_FORM_ACTION = "track_order"
ADD_TO_CART = "add_to_cart"
DETAILS = "product_details"


def _words(text: str) -> set[str]:
    return {w.rstrip("s") for w in re.findall(r"[a-z]+", text.lower())}


def product_card(product: Product) -> Card:
    return Card(
        id=f"product-{product.id}",
        title=product.name,
        subtitle=product.price,
        text=product.description,
        image_url=product.image,
        image_alt=product.name,
        buttons=[
            Button(label="Details", action=DETAILS, value=product.id),
            Button(label="Add to cart", action=ADD_TO_CART, value=product.id, style="primary"),
        ],
    )


# Words of a browsing request that name no product ("show me your products please").
REQUEST_WORDS = _words(
    "browse shop shopping catalog catalogue show me see your the some looking for do you sell have what our all "
    "a an i want to please can product products stuff gear thing things buy would like something new"
)


def browse(text: str, tenant: Tenant) -> ReplyPart | None:
    products = catalog(tenant).products
    if not products:
        return None
    words = _words(text)
    wanted = [p for p in products if _words(p.category) & words or _words(p.name) & words]
    shown = wanted or products
    what = f"our {shown[0].category}" if wanted and len({p.category for p in shown}) == 1 else "our bestsellers"
    missing = "" if wanted or not (words - REQUEST_WORDS) else "We don't carry that, I'm afraid. "
    return ReplyPart(
        text=f"{missing}Here are {what}. Tap Details to learn more or Add to cart to buy.",
        components=[Carousel(cards=[product_card(p) for p in shown])],
    )


def track_form() -> ReplyPart:
    return ReplyPart(
        text="Sure, let's find your order. What's the order number and the email you ordered with?",
        components=[
            Form(
                title="Track your order",
                action=TRACK_FORM_ACTION,
                submit_label="Track",
                fields=[
                    FormField(name="order_number", label="Order number", required=True, placeholder="A1001"),
                    FormField(name="email", label="Email", input="email", required=True),
                ],
            )
        ],
    )


def intent(text: str, tenant: Tenant) -> ReplyPart | None:
    if TRACK_RE.search(text):
        return track_form()
    if BROWSE_RE.search(text):
        return browse(text, tenant)
    return None


def _product(tenant: Tenant, value: object) -> Product | None:
    return next((p for p in catalog(tenant).products if p.id == value), None)


KEEP_GOING = QuickReplies(replies=[Button(label="Show me products"), Button(label="Track my order")])


def handle(request: ActionRequest, tenant: Tenant) -> ActionResult:
    if request.name in (ADD_TO_CART, DETAILS):
        product = _product(tenant, request.value)
        if product is None:
            return ActionResult(reply=ReplyPart(text="Sorry, that product is no longer available."))
        if request.name == DETAILS:
            card = product_card(product).model_copy(update={"id": f"details-{product.id}-{request.action_id}"})
            card.buttons = [card.buttons[1]]
            return ActionResult(reply=ReplyPart(text=f"{product.name}: {product.description}", components=[card]))
        return ActionResult(
            update=ComponentUpdate(status=f"✓ {product.name} added to your cart."),
            reply=ReplyPart(
                text=f"Added the {product.name} ({product.price}) to your cart. Anything else?",
                components=[KEEP_GOING.model_copy(update={"id": f"more-{request.action_id}"})],
            ),
        )
    if request.name == TRACK_FORM_ACTION:
        values = request.value if isinstance(request.value, dict) else {}
        number = str(values.get("order_number", "")).strip().upper()
        if not ORDER_NUMBER_RE.match(number):
            return ActionResult(errors={"order_number": "Order numbers look like A1001 (a letter and four digits)."})
        order = catalog(tenant).orders.get(number)
        email = str(values.get("email", "")).strip().lower()
        if order is None or order.email.lower() != email:
            return ActionResult(
                errors={"order_number": f"We couldn't find order {number} for that email. Check both and try again."}
            )
        status = Card(
            id=f"order-{number}-{request.action_id}",
            title=f"Order {number}",
            subtitle=order.status,
            text=order.detail,
        )
        return ActionResult(
            update=ComponentUpdate(disabled=True, status=f"Order {number}: {order.status}."),
            reply=ReplyPart(text=f"Here's the latest on order {number}.", components=[status]),
        )
    return ActionResult(reply=ReplyPart(text="Sorry, I can't do that here."))


def tool(request: ToolRequest, tenant: Tenant) -> ActionResult:
    """The store's tools for a model: ``search_products`` (a carousel) and ``track_order`` (a status card)."""
    args = request.arguments
    if request.name == "search_products":
        shown = browse(str(args.get("query", "")), tenant)
        if shown is None:
            return ActionResult(errors={"query": "the store has no catalog"})
        names = ", ".join(f"{c.title} ({c.subtitle})" for c in shown.components[0].cards)  # type: ignore[union-attr]
        return ActionResult(
            reply=ReplyPart(text=f"Shown to the visitor as a carousel: {names}", components=shown.components)
        )
    if request.name == "track_order":
        found = handle(
            ActionRequest(
                tenant_id=request.tenant_id,
                conversation_id=request.conversation_id,
                action_id=request.call_id,
                name=TRACK_FORM_ACTION,
                value=args,
            ),
            tenant,
        )
        if found.errors or found.reply is None:
            return found
        card = found.reply.components[0]
        return ActionResult(reply=ReplyPart(text=f"{card.title}: {card.subtitle}. {card.text}", components=[card]))  # type: ignore[union-attr]
    return ActionResult(errors={"name": f"the store has no tool {request.name!r}"})
