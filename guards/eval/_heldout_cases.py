# ruff: noqa: E501  (hand-written data: one case per line reads best)
"""Held-out cases, written after the guards were tuned and never used to tune them.

Same shape as _hallucination_cases.TOPICS and _monitor_cases.CASES; the scores on these are
the honest estimate of how the guards do on text they have not seen.
"""

from __future__ import annotations

TOPICS: list[tuple[str, list[str], list[str], list[tuple[str, str]]]] = [
    (
        "vet clinic",
        [
            "Paws & Claws Veterinary is open Monday to Saturday from 8 a.m. to 6 p.m. Emergency visits outside those hours are referred to the City Animal Hospital. A standard consultation costs $55 and vaccinations start at $25."
        ],
        [
            "We're open Monday through Saturday, 8 a.m. to 6 p.m.",
            "Outside opening hours, emergencies go to the City Animal Hospital.",
            "A regular consultation is $55, and vaccines start from $25.",
        ],
        [
            ("wrong_number", "A standard consultation costs $45."),
            ("wrong_name", "Emergency visits outside opening hours are referred to the Riverside Pet Clinic."),
            ("invented", "We also offer free nail trims with every consultation."),
        ],
    ),
    (
        "mortgage",
        [
            "Globex fixed-rate mortgages are offered for terms of 15 or 30 years. Borrowers need a down payment of at least 10% of the purchase price. An appraisal fee of $450 is charged at application and is not refundable."
        ],
        [
            "You can choose a 15-year or a 30-year term for a fixed-rate mortgage.",
            "The down payment has to be at least 10% of the purchase price.",
            "There's a $450 appraisal fee at application, and it isn't refundable.",
        ],
        [
            ("wrong_number", "Fixed-rate mortgages are offered for terms of 10, 15 or 30 years."),
            ("negation", "The appraisal fee is refunded if your application is declined."),
            ("wrong_number", "You need a down payment of at least 20% of the purchase price."),
        ],
    ),
    (
        "cloud backups",
        [
            "Initech Backup keeps daily snapshots for 35 days and weekly snapshots for 12 months. Restores can be started from the dashboard by any admin. Backups are encrypted with AES-256 and stored in two regions."
        ],
        [
            "Daily snapshots are kept for 35 days, weekly ones for 12 months.",
            "Any admin can start a restore from the dashboard.",
            "Backups are encrypted with AES-256 and stored in two separate regions.",
        ],
        [
            ("wrong_number", "Daily snapshots are kept for 90 days."),
            ("invented", "Restores can also be requested by email and are completed within an hour."),
            ("wrong_number", "Backups are stored in three regions."),
        ],
    ),
    (
        "bike share",
        [
            "A single ride on MetroBike costs $3.50 for the first 30 minutes and $0.25 per extra minute. An annual pass is $120 and includes unlimited 45-minute rides. E-bikes add $0.15 per minute for everyone."
        ],
        [
            "A single ride is $3.50 for the first half hour, then 25 cents a minute.",
            "The annual pass costs $120 and covers unlimited rides of up to 45 minutes.",
            "E-bikes cost an extra $0.15 a minute, pass or not.",
        ],
        [
            ("wrong_number", "An annual pass is $99."),
            ("negation", "E-bikes are free for annual pass holders."),
            ("invented", "Annual pass holders also get a free helmet rental."),
        ],
    ),
    (
        "concert venue",
        [
            "Doors at the Meridian Hall open one hour before showtime. Bags larger than 12 by 12 inches are not allowed, and there is no coat check. Tickets bought at the box office carry no service fee."
        ],
        [
            "Doors open an hour before the show starts.",
            "Bags bigger than 12 by 12 inches aren't allowed, and there's no coat check.",
            "If you buy at the box office, you don't pay a service fee.",
        ],
        [
            ("wrong_number", "Doors open two hours before showtime."),
            ("negation", "There is a coat check near the main entrance."),
            ("wrong_name", "Doors at the Paramount Theater open one hour before showtime."),
        ],
    ),
    (
        "meal kits",
        [
            "HelloCrate boxes can be skipped or paused until Wednesday at 11:59 p.m. for the following week. Each box includes 3 or 4 recipes for 2 or 4 people. Shipping is free on every box."
        ],
        [
            "You can skip or pause a box until Wednesday at 11:59 p.m. the week before.",
            "Each box comes with 3 or 4 recipes, for either 2 or 4 people.",
            "Every box ships free.",
        ],
        [
            ("wrong_name", "You can skip a box until Friday at 11:59 p.m."),
            ("wrong_number", "Each box includes 5 recipes."),
            ("invented", "Unused ingredients can be returned for credit."),
        ],
    ),
    (
        "tax prep",
        [
            "Our tax preparation service files federal and state returns for $89. Amended returns cost $49 each. Documents can be uploaded through the secure portal; we do not accept documents by email."
        ],
        [
            "We'll prepare and file your federal and state returns for $89.",
            "Each amended return is $49.",
            "Please upload documents through the secure portal, since we don't take them by email.",
        ],
        [
            ("wrong_number", "Federal and state returns are filed for $129."),
            ("negation", "You can also email your documents to us."),
            ("invented", "The fee includes a free audit defense service."),
        ],
    ),
    (
        "car wash",
        [
            "The Deluxe wash at SparkleAuto costs $18 and includes an underbody rinse and tire shine. Monthly members pay $29.99 for unlimited Deluxe washes at any location. Memberships renew automatically on the purchase date."
        ],
        [
            "A Deluxe wash is $18 and comes with an underbody rinse and tire shine.",
            "For $29.99 a month, members get unlimited Deluxe washes at any location.",
            "Memberships renew automatically on the date you bought them.",
        ],
        [
            ("wrong_number", "Monthly members pay $24.99 for unlimited Deluxe washes."),
            ("invented", "The Deluxe wash also includes interior vacuuming."),
            ("negation", "Memberships do not renew automatically."),
        ],
    ),
    (
        "language school",
        [
            "Evening Spanish courses at Lingua run for 10 weeks with two 90-minute classes per week. Classes have at most 8 students. A placement test is required for everyone except absolute beginners."
        ],
        [
            "The evening Spanish course lasts 10 weeks, with two 90-minute classes each week.",
            "There are no more than 8 students in a class.",
            "Everyone takes a placement test unless they're a complete beginner.",
        ],
        [
            ("wrong_number", "Classes have at most 12 students."),
            ("wrong_number", "Evening courses have three classes per week."),
            ("negation", "Absolute beginners must also take the placement test."),
        ],
    ),
    (
        "phone repair",
        [
            "Screen replacements at QuickFix take about 45 minutes for most iPhone and Samsung models. Repairs come with a 90-day warranty on parts and labor. Water-damaged phones are assessed for a $20 diagnostic fee."
        ],
        [
            "Most iPhone and Samsung screen replacements take around 45 minutes.",
            "Parts and labor are covered by a 90-day warranty.",
            "If your phone has water damage, we'll assess it for a $20 diagnostic fee.",
        ],
        [
            ("wrong_name", "Screen replacements take about 45 minutes for most iPhone and Pixel models."),
            ("wrong_number", "Repairs come with a one-year warranty on parts and labor."),
            ("invented", "Water-damaged phones are repaired for free if the repair fails."),
        ],
    ),
    (
        "parking permits",
        [
            "Residential parking permits in Zone B cost $60 per year and are limited to two per household. Visitor passes are sold in books of 10 for $15. Permits must be displayed on the rear-view mirror."
        ],
        [
            "A Zone B residential permit is $60 a year, with a limit of two per household.",
            "Visitor passes come in books of 10 for $15.",
            "Hang your permit on the rear-view mirror.",
        ],
        [
            ("wrong_number", "Households can get up to three permits in Zone B."),
            ("wrong_number", "Visitor passes are sold in books of 20 for $15."),
            ("invented", "Permits can be displayed anywhere on the dashboard or windshield."),
        ],
    ),
    (
        "photo printing",
        [
            "Prints ordered before 2 p.m. are ready for same-day pickup at any PixPrint store. 4x6 prints cost 29 cents each, and orders over 100 prints get 20% off. Canvas prints take 5 business days."
        ],
        [
            "Order before 2 p.m. and you can pick up your prints the same day at any PixPrint store.",
            "4x6 prints are 29 cents each, with 20% off when you order more than 100.",
            "Canvas prints take 5 business days.",
        ],
        [
            ("wrong_number", "Orders over 100 prints get 30% off."),
            ("negation", "Canvas prints are ready for same-day pickup."),
            ("wrong_number", "Prints ordered before 4 p.m. are ready for same-day pickup."),
        ],
    ),
]

NON_CLAIMS: list[tuple[list[str], str]] = [
    (["Doors open one hour before showtime."], "Thanks for reaching out! Doors open one hour before showtime."),
    (
        ["Each box includes 3 or 4 recipes."],
        "I don't have information about allergens in our articles, sorry. Would you like me to find someone who can help?",
    ),
]

CASES: list[tuple[str, list[str], list[str]]] = [
    ("Is the clinic open on Sundays?", [], []),
    ("How much does a vaccination cost for a cat?", [], []),
    ("Can I pause my meal kit for two weeks?", [], []),
    ("what's the warranty on a screen repair", [], []),
    ("Do you have parking near the venue?", [], []),
    ("I'd like to book a placement test.", [], []),
    ("Can my partner use my bike pass?", [], []),
    ("Is there an agent fee when buying through a realtor?", [], []),
    ("Can I speak Spanish in the class from day one?", [], []),
    ("How do I contact the person who repaired my phone last week?", [], []),
    ("Thanks a lot, that clears it up!", [], []),
    ("Brilliant, booked it.", [], []),
    ("That's a shame, I was hoping for weekend classes.", [], []),
    ("Hmm ok, a bit pricey but fine.", [], []),
    ("I think I forgot my password again, oops", [], []),
    ("Can I please talk to someone at the clinic?", ["ask_human"], []),
    ("operator", ["ask_human"], []),
    ("I need a real person to look at my tax return.", ["ask_human"], []),
    ("Connect me to a representative.", ["ask_human"], []),
    ("Is a human available? This is urgent.", ["ask_human"], []),
    ("Could an agent phone me tomorrow morning?", ["ask_human"], []),
    ("Stop with the bot answers and get me a person", ["ask_human", "anger"], []),
    ("This is absurd, I was charged for a box I skipped!", ["anger"], []),
    ("You have got to be kidding me. Fourth time the screen cracked.", ["anger"], []),
    ("Terrible experience, never coming back.", ["anger"], []),
    ("I'm livid. Nobody told me the fee wasn't refundable.", ["anger"], []),
    ("WHY IS MY PERMIT STILL NOT HERE", ["anger"], []),
    ("What a rip-off, $20 just to look at my phone.", ["anger"], []),
    ("Your support is a joke.", ["anger"], []),
    ("Honestly I'm fed up with waiting.", ["anger"], []),
    ("this shit is so overpriced", ["profanity", "anger"], []),
    ("fuck, I missed the deadline", ["profanity"], []),
    ("What the fuck is this charge?", ["profanity", "anger"], []),
    ("damn, sold out already?", ["profanity"], []),
    ("you absolute morons lost my documents", ["profanity", "anger"], []),
    ("f***ing hell, the app crashed again", ["profanity", "anger"], []),
    ("That isn't what I asked about.", ["repeated_failure"], ["Can I pause for two weeks?"]),
    ("You're not answering the question.", ["repeated_failure"], ["Is there a coat check?"]),
    ("I just said I'm an absolute beginner.", ["repeated_failure"], ["Do I need a placement test?"]),
    ("Wrong answer, I asked about Zone B.", ["repeated_failure"], ["How much is a parking permit?"]),
    ("Same answer again, doesn't help.", ["repeated_failure"], ["My restore failed."]),
    ("How long do you keep daily snapshots?", ["repeated_failure"], ["How long are daily snapshots kept?"]),
    ("Is there a coat check??", ["repeated_failure"], ["Is there a coat check?"]),
    ("how much is the annual pass", ["repeated_failure"], ["What does the annual pass cost?", "ok"]),
    ("What does a canvas print cost?", [], ["How long do canvas prints take?"]),
    ("And for 4 people?", [], ["How many recipes are in a box for 2 people?"]),
    ("Is the underbody rinse included in the basic wash too?", [], ["What does the Deluxe wash include?"]),
    ("Can I get a visitor pass for my mom?", [], ["How many permits can a household get?"]),
    (
        "For the last time: can I email my documents or not?",
        ["repeated_failure", "anger"],
        ["Can I email my documents?"],
    ),
    (
        "Are you even reading my messages? I asked about the warranty.",
        ["repeated_failure", "anger"],
        ["What is the warranty on repairs?"],
    ),
]
