# ruff: noqa: E501  (hand-written data: one case per line reads best)
"""Hand-written hallucination cases: knowledge passages, grounded answers and ungrounded ones.

Each topic has one or two passages (as a retriever would return them), grounded answers
(verbatim, paraphrased, combined) and ungrounded answers of one kind each. An ungrounded
answer usually mixes correct sentences with one wrong one, as real replies do.
`python -m guards.eval build` writes these to data/hallucination.jsonl.
"""

from __future__ import annotations

# (topic, passages, grounded answers, [(kind, ungrounded answer), ...])
TOPICS: list[tuple[str, list[str], list[str], list[tuple[str, str]]]] = [
    (
        "returns",
        [
            "Unused items in their original packaging can be returned within 30 days of delivery for a full refund. "
            "Items bought on clearance are final sale and cannot be returned. Return shipping is free for members of "
            "Acme Plus; other customers pay a $6.95 return label fee."
        ],
        [
            "You can return unused items in the original packaging within 30 days of delivery and get a full refund.",
            "Clearance purchases are final sale, so they can't be returned.",
            "If you're an Acme Plus member, return shipping is free. Otherwise the return label costs $6.95.",
        ],
        [
            ("wrong_number", "You can return unused items within 45 days of delivery for a full refund."),
            ("negation", "Items bought on clearance can be returned within 30 days like any other item."),
            ("wrong_number", "Return shipping is free for Acme Plus members; everyone else pays a $4.95 label fee."),
            ("invented", "Unused items can be returned within 30 days. We also give store credit for worn items."),
        ],
    ),
    (
        "shipping",
        [
            "Standard shipping takes 3 to 5 business days and is free on orders over $75. Express shipping arrives in "
            "1 to 2 business days and costs $19. We ship to the United States and Canada only."
        ],
        [
            "Standard delivery usually takes 3-5 business days, and it's free once your order is over $75.",
            "Express shipping costs $19 and gets to you in 1 to 2 business days.",
            "We currently ship only to the United States and Canada.",
        ],
        [
            ("wrong_number", "Standard shipping is free on orders over $50 and takes 3 to 5 business days."),
            ("wrong_name", "We ship to the United States, Canada and Mexico."),
            ("invented", "Express shipping costs $19. Orders placed before noon ship the same day."),
            ("wrong_number", "Express shipping arrives the next business day and costs $19."),
        ],
    ),
    (
        "warranty",
        [
            "All tents and backpacks carry a two-year limited warranty against manufacturing defects. The warranty "
            "does not cover damage from misuse, fire or normal wear. Claims are handled by our partner RepairWorks "
            "and need the original receipt."
        ],
        [
            "Tents and backpacks come with a two-year limited warranty that covers manufacturing defects.",
            "Damage from misuse, fire or normal wear and tear isn't covered by the warranty.",
            "To make a claim you'll need your original receipt; RepairWorks handles the claims for us.",
        ],
        [
            ("wrong_number", "Tents and backpacks carry a five-year limited warranty against manufacturing defects."),
            ("negation", "The warranty covers normal wear, so a worn-out zipper would be repaired for free."),
            ("wrong_name", "Warranty claims are handled by our partner FixIt Direct and need the original receipt."),
            ("invented", "You can make a warranty claim without a receipt if you registered the product online."),
        ],
    ),
    (
        "debit card",
        [
            "Lost or stolen debit cards can be frozen instantly in the Globex app under Cards > Freeze. A replacement "
            "card is mailed within 7 business days at no charge. Expedited delivery in 2 business days costs $25."
        ],
        [
            "You can freeze a lost or stolen card right away in the Globex app, under Cards > Freeze.",
            "We'll mail you a replacement card free of charge within 7 business days.",
            "If you need it faster, expedited delivery takes 2 business days and costs $25.",
        ],
        [
            ("wrong_number", "A replacement card is mailed within 10 business days at no charge."),
            ("wrong_number", "Expedited delivery in 2 business days costs $15."),
            (
                "invented",
                "You can freeze the card in the app. We also send a temporary virtual card by email right away.",
            ),
            ("negation", "Freezing a card can't be done in the app; you have to call us."),
        ],
    ),
    (
        "wire transfers",
        [
            "Domestic wire transfers sent before 4 p.m. Eastern on a business day arrive the same day. The fee is "
            "$20 for outgoing domestic wires and $45 for international wires. Incoming wires are free."
        ],
        [
            "Outgoing domestic wires cost $20, international ones $45, and incoming wires are free.",
            "If you send a domestic wire before 4 p.m. Eastern on a business day, it arrives the same day.",
            "Receiving a wire costs nothing.",
        ],
        [
            ("wrong_number", "Domestic wires sent before 5 p.m. Eastern on a business day arrive the same day."),
            ("wrong_number", "International wires cost $35 and domestic ones $20."),
            ("negation", "Incoming wires are not free; there is a small fee for each one."),
            (
                "invented",
                "Outgoing domestic wires cost $20. Premier customers get two free international wires a month.",
            ),
        ],
    ),
    (
        "savings rate",
        [
            "The High Yield Savings account pays 4.10% APY on balances of $1,000 or more. There is no monthly fee "
            "and no minimum deposit to open the account. Up to six withdrawals per month are allowed."
        ],
        [
            "High Yield Savings pays 4.10% APY once your balance is at least $1,000.",
            "There's no monthly fee and you don't need a minimum deposit to open it.",
            "You can make up to six withdrawals a month.",
        ],
        [
            ("wrong_number", "The High Yield Savings account pays 4.50% APY on balances of $1,000 or more."),
            ("negation", "You need a minimum deposit of $1,000 to open the account."),
            ("wrong_number", "Up to three withdrawals per month are allowed."),
            ("invented", "There is no monthly fee. The rate is guaranteed for the first 12 months."),
        ],
    ),
    (
        "plans",
        [
            "Initech Cloud has three plans. Starter is $9 per user per month and includes 10 GB of storage. Team is "
            "$19 per user per month with 100 GB and single sign-on. Enterprise pricing is custom and adds audit logs "
            "and a 99.9% uptime SLA."
        ],
        [
            "Starter costs $9 per user each month and comes with 10 GB of storage.",
            "The Team plan is $19 per user per month; it includes 100 GB and single sign-on.",
            "Enterprise has custom pricing and adds audit logs plus a 99.9% uptime SLA.",
        ],
        [
            ("wrong_number", "The Team plan is $29 per user per month with 100 GB and single sign-on."),
            ("invented", "Starter is $9 per user per month and includes single sign-on."),
            ("wrong_number", "Enterprise adds audit logs and a 99.99% uptime SLA."),
            ("invented", "All plans come with a 30-day free trial and unlimited storage."),
        ],
    ),
    (
        "password reset",
        [
            "To reset your password, click 'Forgot password' on the sign-in page and enter your work email. The reset "
            "link expires after 60 minutes. Accounts are locked for 15 minutes after 5 failed sign-in attempts."
        ],
        [
            "Click 'Forgot password' on the sign-in page and enter your work email to get a reset link.",
            "The reset link is valid for 60 minutes, so use it within the hour.",
            "After 5 failed sign-in attempts your account is locked for 15 minutes.",
        ],
        [
            ("wrong_number", "The reset link expires after 24 hours."),
            ("wrong_number", "Accounts are locked for 30 minutes after 5 failed sign-in attempts."),
            ("invented", "You can also reset your password by texting RESET to our support number."),
            ("negation", "Accounts are never locked after failed sign-in attempts."),
        ],
    ),
    (
        "api limits",
        [
            "The REST API allows 600 requests per minute per API key. Requests over the limit receive HTTP 429 with a "
            "Retry-After header. Webhooks are retried up to 8 times with exponential backoff."
        ],
        [
            "Each API key can make 600 requests per minute.",
            "If you go over the limit you'll get an HTTP 429 with a Retry-After header telling you when to retry.",
            "Failed webhooks are retried up to 8 times with exponential backoff.",
        ],
        [
            ("wrong_number", "The REST API allows 1,000 requests per minute per API key."),
            ("wrong_number", "Webhooks are retried up to 3 times with exponential backoff."),
            ("invented", "Requests over the limit are queued and processed automatically a minute later."),
            ("wrong_name", "Requests over the limit receive HTTP 503 with a Retry-After header."),
        ],
    ),
    (
        "hotel check-in",
        [
            "Check-in at the Harbor View Hotel starts at 3 p.m. and check-out is at 11 a.m. Early check-in from noon "
            "can be requested for $30, subject to availability. Parking costs $22 per night."
        ],
        [
            "Check-in starts at 3 p.m., and you'll need to check out by 11 a.m.",
            "You can ask for early check-in from noon for $30, if a room is available.",
            "Parking is $22 a night.",
        ],
        [
            ("wrong_number", "Check-in at the Harbor View Hotel starts at 2 p.m."),
            ("wrong_number", "Parking costs $15 per night."),
            ("invented", "Check-out is at 11 a.m., and late check-out until 2 p.m. is free for all guests."),
            ("negation", "Early check-in is not offered at the Harbor View Hotel."),
        ],
    ),
    (
        "pets",
        [
            "Dogs and cats up to 25 pounds are welcome in designated pet-friendly rooms for a fee of $50 per stay. "
            "Pets may not be left alone in the room. Service animals are always welcome at no charge."
        ],
        [
            "Dogs and cats up to 25 pounds can stay in our pet-friendly rooms for $50 per stay.",
            "Please don't leave your pet alone in the room.",
            "Service animals are welcome at no extra cost.",
        ],
        [
            ("wrong_number", "Dogs and cats up to 40 pounds are welcome in pet-friendly rooms."),
            ("wrong_number", "The pet fee is $50 per night."),
            ("negation", "Pets may be left alone in the room as long as they are in a crate."),
            ("invented", "We provide a free pet bed and bowls in every pet-friendly room."),
        ],
    ),
    (
        "baggage",
        [
            "Each passenger on SkyJet may bring one carry-on bag up to 10 kg and one personal item. The first checked "
            "bag costs $35 and the second $45. Bags over 23 kg incur an overweight fee of $100."
        ],
        [
            "You can bring one carry-on of up to 10 kg plus one personal item.",
            "Your first checked bag is $35 and the second one is $45.",
            "If a bag weighs more than 23 kg, there's a $100 overweight fee.",
        ],
        [
            ("wrong_number", "Each passenger may bring one carry-on bag up to 7 kg and one personal item."),
            ("negation", "The first checked bag is free; the second costs $45."),
            ("wrong_number", "Bags over 32 kg incur an overweight fee of $100."),
            ("wrong_name", "Each passenger on AirNova may bring one carry-on bag up to 10 kg."),
        ],
    ),
    (
        "gym membership",
        [
            "The monthly membership at FitLab is $39 with a $49 joining fee. You can cancel with 30 days' written "
            "notice. Members can bring one guest per month for free."
        ],
        [
            "Membership is $39 a month, plus a one-time $49 joining fee.",
            "To cancel, just give us 30 days' notice in writing.",
            "You can bring a guest for free once a month.",
        ],
        [
            ("wrong_number", "The monthly membership at FitLab is $29 with a $49 joining fee."),
            ("negation", "There is no joining fee at FitLab."),
            ("wrong_number", "You can cancel with 14 days' written notice."),
            ("invented", "Members can bring one guest per month for free, and classes are included at no cost."),
        ],
    ),
    (
        "dental appointments",
        [
            "Appointments at Bright Smile Dental can be booked online or by phone. We ask for 24 hours' notice to "
            "cancel; late cancellations are charged $40. New patients should arrive 15 minutes early to fill in forms."
        ],
        [
            "You can book online or by phone.",
            "Please cancel at least 24 hours ahead, otherwise there's a $40 late cancellation charge.",
            "If it's your first visit, come 15 minutes early to fill in the forms.",
        ],
        [
            ("wrong_number", "We ask for 48 hours' notice to cancel an appointment."),
            ("wrong_number", "Late cancellations are charged $25."),
            ("invented", "Appointments can be booked online, by phone or through WhatsApp."),
            ("negation", "New patients don't need to arrive early."),
        ],
    ),
    (
        "prescription refills",
        [
            "Prescription refills requested through the CareRx app are ready for pickup within 4 hours. Home delivery "
            "is free for orders over $35 and arrives in 2 days. Controlled substances cannot be delivered."
        ],
        [
            "Refills you request in the CareRx app are ready to pick up within 4 hours.",
            "Home delivery takes 2 days and is free on orders over $35.",
            "We can't deliver controlled substances.",
        ],
        [
            ("wrong_number", "Refills requested through the app are ready for pickup within 1 hour."),
            ("negation", "Controlled substances can be delivered to your home."),
            ("invented", "Home delivery is free for orders over $35 and you can track the driver live on a map."),
            ("wrong_name", "Prescription refills requested through the MediQuick app are ready within 4 hours."),
        ],
    ),
    (
        "car rental",
        [
            "Drivers must be at least 21 years old; drivers under 25 pay a young driver fee of $25 per day. Each "
            "rental includes 200 free miles per day, then $0.35 per mile. Cars must be returned with a full tank."
        ],
        [
            "You have to be at least 21 to rent, and if you're under 25 there's a $25 daily young driver fee.",
            "Every rental comes with 200 free miles a day; after that it's $0.35 a mile.",
            "Please bring the car back with a full tank.",
        ],
        [
            ("wrong_number", "Drivers must be at least 18 years old."),
            ("wrong_number", "Each rental includes 300 free miles per day, then $0.35 per mile."),
            ("invented", "Each rental includes unlimited miles for trips longer than a week."),
            ("negation", "You don't need to return the car with a full tank."),
        ],
    ),
    (
        "insurance claim",
        [
            "Home insurance claims can be filed online within 60 days of the incident. An adjuster contacts you "
            "within 2 business days. Approved claims are paid by direct deposit within 10 business days. The "
            "standard deductible is $500."
        ],
        [
            "You can file a home insurance claim online up to 60 days after the incident.",
            "An adjuster will get in touch within 2 business days.",
            "Once approved, the payment arrives by direct deposit within 10 business days; the standard deductible is $500.",
        ],
        [
            ("wrong_number", "Claims can be filed online within 90 days of the incident."),
            ("wrong_number", "The standard deductible is $1,000."),
            ("invented", "Approved claims are paid by check or by direct deposit, whichever you prefer."),
            ("invented", "An adjuster contacts you within 2 business days and always visits your home in person."),
        ],
    ),
    (
        "electricity bill",
        [
            "Bills from Northwind Energy are issued on the 1st of each month and are due 21 days later. Customers on "
            "AutoPay get a $2 monthly discount. A late fee of 1.5% applies to unpaid balances."
        ],
        [
            "Your bill comes out on the 1st of every month and is due 21 days later.",
            "Setting up AutoPay saves you $2 a month.",
            "Unpaid balances get a 1.5% late fee.",
        ],
        [
            ("wrong_number", "Bills are due 30 days after they are issued."),
            ("wrong_number", "A late fee of 2.5% applies to unpaid balances."),
            ("wrong_name", "Bills from Eastgate Power are issued on the 1st of each month."),
            ("invented", "Customers on AutoPay get a $2 monthly discount and free paper statements."),
        ],
    ),
    (
        "roaming",
        [
            "The Travel Pass costs $10 per day and lets you use your plan's data, calls and texts in over 100 "
            "countries. You're only charged on days you use your phone abroad. Cruise ships and flights are not "
            "covered."
        ],
        [
            "Travel Pass is $10 a day and lets you use your normal data, calls and texts in more than 100 countries.",
            "You only pay for the days you actually use your phone abroad.",
            "It doesn't cover cruise ships or flights.",
        ],
        [
            ("wrong_number", "The Travel Pass costs $5 per day."),
            ("negation", "Travel Pass also works on cruise ships and flights."),
            ("invented", "You're charged every day of your trip, even on days you don't use your phone."),
            ("wrong_number", "Travel Pass works in over 200 countries."),
        ],
    ),
    (
        "restaurant reservations",
        [
            "Luigi's takes reservations for parties of up to 8 people through our website. Larger groups should call "
            "the restaurant. Tables are held for 15 minutes past the reservation time. We are closed on Mondays."
        ],
        [
            "You can reserve online for groups of up to 8.",
            "For bigger groups, please call the restaurant directly.",
            "We hold your table for 15 minutes after the booking time, and we're closed Mondays.",
        ],
        [
            ("wrong_number", "Luigi's takes online reservations for parties of up to 12 people."),
            ("wrong_name", "We are closed on Tuesdays."),
            ("wrong_number", "Tables are held for 30 minutes past the reservation time."),
            ("invented", "Larger groups should call; we also offer a set menu for groups at $45 per person."),
        ],
    ),
    (
        "admissions",
        [
            "Applications for the fall semester at Westbrook University close on January 15. The application fee is "
            "$60 and can be waived for students with financial need. Decisions are released by April 1."
        ],
        [
            "Fall applications close on January 15.",
            "The $60 application fee can be waived if you have financial need.",
            "You'll hear back by April 1.",
        ],
        [
            ("wrong_name", "Applications for the fall semester close on February 15."),
            ("wrong_number", "The application fee is $75."),
            ("negation", "The application fee cannot be waived."),
            ("invented", "Decisions are released by April 1, and early applicants hear back in December."),
        ],
    ),
    (
        "library",
        [
            "Library members can borrow up to 20 items at a time. Books are loaned for 3 weeks and can be renewed "
            "twice online, unless another member has placed a hold. There are no late fees for children's books."
        ],
        [
            "You can have up to 20 items checked out at once.",
            "Books are lent for three weeks, and you can renew them online two times unless someone has a hold on them.",
            "Children's books don't have late fees.",
        ],
        [
            ("wrong_number", "Library members can borrow up to 10 items at a time."),
            ("wrong_number", "Books can be renewed up to five times online."),
            ("negation", "Books can be renewed even if another member has placed a hold."),
            ("invented", "Members can also borrow laptops for up to a week."),
        ],
    ),
    (
        "coworking",
        [
            "A hot desk at Hive Coworking costs $250 per month and includes access from 7 a.m. to 10 p.m. on "
            "weekdays. Meeting rooms can be booked for $15 per hour. Dedicated desks with 24/7 access are $400 per "
            "month."
        ],
        [
            "A hot desk is $250 a month and gives you access from 7 a.m. to 10 p.m. on weekdays.",
            "You can book a meeting room for $15 an hour.",
            "If you need round-the-clock access, a dedicated desk with 24/7 access costs $400 per month.",
        ],
        [
            ("wrong_number", "A hot desk costs $300 per month."),
            ("invented", "Hot desk members get 5 free hours of meeting room time each month."),
            ("invented", "Hot desks include weekend access from 9 a.m. to 6 p.m."),
            ("wrong_number", "Meeting rooms can be booked for $25 per hour."),
        ],
    ),
    (
        "data export",
        [
            "Workspace owners can export all data as a ZIP of CSV files from Settings > Export. Exports of more than "
            "1 GB are emailed as a download link that stays valid for 7 days. Deleted projects are kept for 30 days "
            "before permanent removal."
        ],
        [
            "Owners can export everything as a ZIP of CSV files from Settings > Export.",
            "If the export is bigger than 1 GB, we email you a download link that works for 7 days.",
            "Deleted projects stay recoverable for 30 days before they're removed for good.",
        ],
        [
            ("wrong_name", "Workspace owners can export all data as a ZIP of JSON files."),
            ("wrong_number", "The download link stays valid for 48 hours."),
            ("negation", "Deleted projects are removed immediately and cannot be recovered."),
            ("invented", "Any workspace member can export data, not only owners."),
        ],
    ),
    (
        "streaming",
        [
            "The Basic plan streams in HD on one screen at a time for $7.99 a month. Premium allows 4 screens in "
            "4K for $17.99. Downloads for offline viewing are available on Premium only."
        ],
        [
            "Basic is $7.99 a month and streams in HD on one screen at a time.",
            "Premium lets you watch on 4 screens at once in 4K, for $17.99 a month.",
            "Offline downloads are only on Premium.",
        ],
        [
            ("wrong_number", "Premium allows 6 screens in 4K for $17.99."),
            ("negation", "Downloads for offline viewing are available on both Basic and Premium."),
            ("wrong_number", "The Basic plan costs $9.99 a month."),
            ("invented", "Every plan includes a free month when you sign up."),
        ],
    ),
    (
        "food delivery",
        [
            "Delivery from QuickBite is free on orders over $20; smaller orders pay a $3.49 delivery fee. If your "
            "order arrives more than 20 minutes late, you get a $5 credit. Tips go entirely to the courier."
        ],
        [
            "Orders over $20 ship free; below that the delivery fee is $3.49.",
            "If your food shows up more than 20 minutes late, we'll give you a $5 credit.",
            "The whole tip goes to your courier.",
        ],
        [
            ("wrong_number", "Delivery is free on orders over $15."),
            ("wrong_number", "If your order is more than 20 minutes late, you get a $10 credit."),
            ("negation", "Part of each tip is kept by QuickBite."),
            ("invented", "Late orders are refunded in full."),
        ],
    ),
    (
        "bike repair",
        [
            "A basic tune-up at Spokes costs $65 and takes about 2 days. Flat tires are fixed while you wait for $15 "
            "plus the cost of the tube. Bikes bought from us get free tune-ups for the first year."
        ],
        [
            "A basic tune-up is $65 and usually takes around 2 days.",
            "We fix flats while you wait for $15, plus the tube.",
            "If you bought your bike from us, tune-ups are free during the first year.",
        ],
        [
            ("wrong_number", "A basic tune-up costs $85 and takes about 2 days."),
            ("invented", "Flat tires are fixed for free for all customers."),
            ("wrong_number", "Bikes bought from us get free tune-ups for the first two years."),
            ("invented", "We also offer pick-up and drop-off for repairs within 5 miles."),
        ],
    ),
    (
        "trade-in",
        [
            "You can trade in phones, tablets and laptops at any Voltix store. Devices must power on and have no "
            "cracked screens to get the full quoted value. Trade-in credit is applied as a store gift card."
        ],
        [
            "Phones, tablets and laptops can all be traded in at any Voltix store.",
            "To get the full quoted value, the device has to turn on and the screen can't be cracked.",
            "Your trade-in credit comes as a store gift card.",
        ],
        [
            ("invented", "You can trade in phones, tablets, laptops and game consoles."),
            ("negation", "Devices with cracked screens still get the full quoted value."),
            ("invented", "Trade-in credit can be paid out in cash or as a gift card."),
            ("wrong_name", "You can trade in devices at any Best Buy store."),
        ],
    ),
    (
        "event tickets",
        [
            "Tickets for the Riverside Jazz Festival are non-refundable but can be transferred to another person up "
            "to 48 hours before the event. Children under 12 get in free with a paying adult. Gates open at 5 p.m."
        ],
        [
            "Tickets can't be refunded, but you can transfer them to someone else up to 48 hours before the event.",
            "Kids under 12 get in free with a paying adult.",
            "Gates open at 5 p.m.",
        ],
        [
            ("negation", "Tickets are refundable up to 48 hours before the event."),
            ("wrong_number", "Children under 16 get in free with a paying adult."),
            ("wrong_number", "Gates open at 6 p.m."),
            ("wrong_name", "Tickets for the Lakeside Blues Festival can be transferred up to 48 hours before."),
        ],
    ),
    (
        "loyalty",
        [
            "FreshMart Rewards members earn 1 point per dollar spent. 500 points can be redeemed for a $5 discount at "
            "checkout. Points expire 12 months after they are earned."
        ],
        [
            "You earn a point for every dollar you spend.",
            "Once you have 500 points you can redeem them for $5 off at checkout.",
            "Points expire 12 months after you earn them.",
        ],
        [
            ("wrong_number", "Members earn 2 points per dollar spent."),
            ("wrong_number", "500 points can be redeemed for a $10 discount."),
            ("negation", "Points never expire."),
            ("invented", "Points can also be redeemed for fuel discounts at partner gas stations."),
        ],
    ),
    (
        "moving",
        [
            "Movers from SwiftMove charge $120 per hour for a crew of two and a truck, with a 3-hour minimum. "
            "Packing materials are billed separately. We need at least 7 days' notice for weekend moves."
        ],
        [
            "A crew of two with a truck costs $120 an hour, and there's a 3-hour minimum.",
            "Packing materials are charged on top of that.",
            "For a weekend move, book at least 7 days ahead.",
        ],
        [
            ("wrong_number", "SwiftMove charges $120 per hour with a 2-hour minimum."),
            ("negation", "Packing materials are included in the hourly rate."),
            ("wrong_number", "We need at least 14 days' notice for weekend moves."),
            ("invented", "A crew of three is available for $150 per hour."),
        ],
    ),
    (
        "solar",
        [
            "SunPeak installs residential solar systems in about 2 days once permits are approved. Permits usually "
            "take 3 to 6 weeks. Panels carry a 25-year performance warranty and inverters a 10-year warranty."
        ],
        [
            "Once the permits are approved, installation takes about two days.",
            "Permits usually take between 3 and 6 weeks.",
            "The panels have a 25-year performance warranty and the inverter is covered for 10 years.",
        ],
        [
            ("wrong_number", "Panels carry a 30-year performance warranty."),
            ("wrong_number", "Permits usually take 1 to 2 weeks."),
            ("invented", "SunPeak handles the permits and pays all permit fees for you."),
            ("wrong_number", "Inverters carry a 20-year warranty."),
        ],
    ),
    (
        "account closure",
        [
            "To close a Globex checking account, the balance must be zero and there can be no pending transactions. "
            "You can request closure in a branch or by calling 1-800-555-0199. Closed accounts cannot be reopened."
        ],
        [
            "Before closing your checking account, bring the balance to zero and wait for pending transactions to clear.",
            "You can close it in a branch or by calling 1-800-555-0199.",
            "Keep in mind that a closed account can't be reopened.",
        ],
        [
            ("negation", "Closed accounts can be reopened within 30 days."),
            ("invented", "You can also close your account directly in the mobile app."),
            ("wrong_number", "You can request closure by calling 1-800-555-0123."),
            ("invented", "We close the account automatically even if there are pending transactions."),
        ],
    ),
    (
        "size exchange",
        [
            "Shoes and clothing can be exchanged for a different size within 60 days, even if worn indoors. "
            "Exchanges ship free. Personalized items are not eligible for exchange."
        ],
        [
            "You can swap shoes or clothing for another size within 60 days, even if you've tried them on indoors.",
            "Shipping on exchanges is free.",
            "Personalized items aren't eligible for exchanges.",
        ],
        [
            ("wrong_number", "Shoes and clothing can be exchanged for a different size within 90 days."),
            ("negation", "Personalized items can be exchanged for a different size."),
            ("invented", "Exchanges ship free and arrive within 2 days."),
            ("invented", "Worn items can be exchanged only if they were worn outdoors less than once."),
        ],
    ),
]

# Grounded answers whose sentences say nothing factual, or hedge: a guard must not flag them.
NON_CLAIMS: list[tuple[list[str], str]] = [
    (
        ["Express shipping arrives in 1 to 2 business days and costs $19."],
        "Happy to help! Is there anything else you'd like to know?",
    ),
    (
        ["Unused items can be returned within 30 days of delivery."],
        "I couldn't find anything about gift cards in our help articles. Would you like me to connect you with our team?",
    ),
    (["The reset link expires after 60 minutes."], "Good question. The reset link expires after 60 minutes."),
    (["Check-in starts at 3 p.m."], "Sure! Check-in starts at 3 p.m. Let me know if you need directions."),
    (
        ["Tickets can be transferred up to 48 hours before the event."],
        "I'm not sure about parking at the venue. Tickets can be transferred up to 48 hours before the event.",
    ),
    (
        ["Movers charge $120 per hour for a crew of two."],
        "Here's what I found: movers charge $120 per hour for a crew of two.",
    ),
]
