namespace Rapport.Bench.Generate;

/// <summary>Word lists the generator composes names, subjects and messages from. Placeholders in braces are filled
/// in by <see cref="TextComposer"/>: {n} a number, {order} an order number, {product}, {feature}, {month}, {day}.</summary>
internal static class Vocabulary
{
    public static readonly string[] FirstNames =
    [
        "Maria", "Tom", "Aisha", "Lukas", "Emily", "Hiroshi", "Fatima", "Oliver", "Sofia", "Kwame", "Chloe", "Daniel",
        "Anna", "James", "Mohammed", "Laura", "Pedro", "Yuki", "Grace", "Ivan", "Priya", "Lucas", "Emma", "Noah",
        "Olivia", "Liam", "Ava", "Ethan", "Mia", "Mateo", "Zara", "Jonas", "Elena", "Samuel", "Nina", "David",
        "Sara", "Ali", "Hannah", "Marco", "Julia", "Ben", "Leila", "Carlos", "Ingrid", "Kofi", "Mei", "Arjun",
        "Clara", "Felix", "Amara", "Omar", "Isabel", "Viktor", "Chen", "Ines", "Patrick", "Nadia", "George", "Rosa",
        "Tariq", "Eva", "Diego", "Freya", "Hassan", "Lena", "Pablo", "Ruth", "Sven", "Tanvi", "Walter", "Yara",
    ];

    public static readonly string[] LastNames =
    [
        "Gonzalez", "Becker", "Rahman", "Novak", "Carter", "Tanaka", "Ali", "Smith", "Rossi", "Mensah", "Martin", "Kim",
        "Müller", "Johnson", "Khan", "Schmidt", "Silva", "Sato", "Brown", "Petrov", "Patel", "Dubois", "Wilson", "Garcia",
        "Jensen", "Nguyen", "Andersson", "O'Brien", "Kowalski", "Costa", "Yilmaz", "Fischer", "Moreau", "Haddad", "Lee", "Okafor",
        "Larsen", "Ivanova", "Romano", "Walker", "Hoffmann", "Mendes", "Nakamura", "Singh", "Taylor", "Lopez", "Weber", "Chen",
        "Eriksson", "Murphy", "Papadopoulos", "Dias", "Horvath", "Kaya", "Bakker", "Lindqvist", "Rivera", "Wright", "Cohen", "Ortiz",
    ];

    public static readonly string[] MailDomains =
    [
        "example.com", "example.org", "example.net", "mail.example", "inbox.example", "post.example", "webmail.example",
    ];

    public static readonly string[] OrganizationWords =
    [
        "Harbour", "Green Leaf", "Northwind", "Blue Sky", "Summit", "Riverside", "Oak & Pine", "Silverline", "Maple", "Brightside",
        "Cedar", "Golden Gate", "Redwood", "Lakeside", "Sunrise", "Ironbridge", "Willow", "Atlas", "Beacon", "Copperfield",
    ];

    public static readonly string[] OrganizationKinds =
    [
        "Bakery", "Dental", "Architects", "Plumbing", "Design", "Cafe", "Logistics", "Consulting", "Florists", "Print Shop",
        "Fitness", "Veterinary Clinic", "Books", "Electrics", "Travel", "Studio", "Garage", "Opticians", "Legal", "Accounting",
    ];

    public static readonly string[] Products =
    [
        "the standing desk", "the espresso machine", "the winter jacket", "the wireless headphones", "the garden set",
        "the booking app", "the starter plan", "the gift card", "the running shoes", "the printer", "the e-reader",
        "the kitchen scale", "the team plan", "the backpack", "the smart thermostat",
    ];

    public static readonly string[] Features =
    [
        "CSV export", "calendar sync", "two-factor login", "the mobile app", "invoices page", "booking page",
        "email notifications", "search", "the customer portal", "reports", "user roles", "the API",
    ];

    public static readonly string[] Months =
    [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ];

    public static readonly string[] Days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    /// <summary>Subject, opening message, and the tag the topic implies.</summary>
    public static readonly (string Subject, string Body, string Tag)[] Topics =
    [
        ("Invoice {n} charged twice", "I was charged twice for invoice {n} this month. Could you refund the second charge? When will I see the money back?", "billing"),
        ("Can't log in since the update", "Since the update the app says my password is wrong, but I have reset it twice already. I need to get into my account today.", "login"),
        ("Where is my order #{order}?", "The tracking page for order #{order} hasn't changed for five days. Could you check where my parcel is?", "shipping"),
        ("Question about the annual plan", "Is there a discount if we switch to yearly billing? And can we add two more seats later in the year?", "sales"),
        ("Invoice address is wrong", "Please change the address on our invoices. The old one is still showing on invoice {n}.", "billing"),
        ("Appointment on {day}", "I need to move my {day} appointment to next week if possible. Any time after 2pm works for me.", "appointments"),
        ("The {feature} is missing data", "When I use the {feature}, some of the fields are empty although the data is there. Is this a known problem?", "bug"),
        ("Thank you!", "Just wanted to say the new {feature} works great. Our customers love it.", "feedback"),
        ("Very unhappy with {product}", "This is the second time {product} stopped working within a month. I expect a replacement at no cost.", "complaint"),
        ("How do I add a team member?", "We hired a new assistant. How can I give her access without sharing my password?", "how-to"),
        ("Quote for {n} units", "Could you send me a quote for {n} units of {product}? We'd like delivery before the end of {month}.", "quote"),
        ("Cancel my subscription", "Please cancel my subscription at the end of this billing period and confirm by email.", "cancellation"),
        ("Refund for order #{order}", "I returned {product} from order #{order} two weeks ago and still haven't received my refund.", "refund"),
        ("Wrong item delivered", "I ordered {product} but received something else in order #{order}. How do I swap it?", "shipping"),
        ("Password reset email never arrives", "I requested a password reset three times and no email arrived, not even in spam.", "login"),
        ("{feature} is very slow", "Since {day} the {feature} takes almost a minute to load. Is something wrong on your side?", "bug"),
        ("Can I change my delivery date?", "Order #{order} is scheduled for {day} but I'm away. Can you deliver it the week after?", "shipping"),
        ("Missing VAT number on invoice {n}", "Our accountant needs the VAT number printed on invoice {n}. Could you reissue it?", "billing"),
        ("Feature request: {feature}", "It would help us a lot if the {feature} could be filtered by date. Is that planned?", "feature-request"),
        ("Damaged package", "The box for order #{order} arrived crushed and {product} is scratched. Photos attached.", "shipping"),
        ("Upgrade to the team plan", "We'd like to move from the starter plan to the team plan from {month}. What do we need to do?", "sales"),
        ("Card declined", "My card was declined when paying invoice {n}, but the bank says everything is fine.", "billing"),
        ("Warranty question about {product}", "{product} stopped charging after eleven months. Is it still under warranty?", "warranty"),
        ("Account locked", "My account got locked after I typed the wrong password. Can you unlock it?", "login"),
        ("Where can I download my invoices?", "I can't find where to download the invoices for {month}. Could you point me to it?", "how-to"),
        ("Double booking on {day}", "Two customers were booked for the same slot on {day}. How did that happen?", "bug"),
        ("Discount code not working", "The discount code from your {month} newsletter says it's invalid at checkout.", "sales"),
        ("Delete my account", "Please delete my account and all my personal data, as allowed under GDPR.", "privacy"),
        ("Integration with our shop", "Does the API support creating orders from our online shop? We process about {n} orders a month.", "api"),
        ("Complaint about support", "I've been waiting three days for an answer to my last email. This is not acceptable.", "complaint"),
    ];

    public static readonly string[] Tags =
    [
        "billing", "refund", "login", "shipping", "sales", "bug", "feedback", "complaint", "how-to", "quote",
        "cancellation", "vip", "urgent-customer", "follow-up", "warranty", "api", "privacy", "appointments", "feature-request", "escalated",
    ];

    public static readonly string[] Greetings = ["Hi,", "Hello,", "Good morning,", "Dear support team,", "Hi there,", "Hello team,"];

    public static readonly string[] SignOffs = ["Thanks,", "Best regards,", "Kind regards,", "Cheers,", "Many thanks,", "Thank you,"];

    public static readonly string[] Replies =
    [
        "Thanks for getting in touch. I've looked into this and fixed it on our side; you should see the change within the hour.",
        "Sorry about the trouble. I've issued a refund, which usually shows on your statement within 3 to 5 working days.",
        "Thanks for the details. Could you send us a screenshot of the error and tell us which browser you use?",
        "I've checked with our courier: the parcel is at the local depot and will be delivered tomorrow.",
        "Good news: this is fixed in today's release. Please reload the page and let us know if it still happens.",
        "I've passed your suggestion on to the product team. We'll let you know when it's planned.",
        "Your account is unlocked now. You can reset your password from the sign-in page.",
        "I've moved your appointment as requested and sent you a new confirmation by email.",
        "We've reissued the invoice with the corrected details; you'll find it attached.",
        "I'm sorry to hear that. I've arranged a replacement, which will ship today at no cost to you.",
    ];

    public static readonly string[] FollowUps =
    [
        "Thanks, that worked!",
        "I still see the same problem, unfortunately. Any other ideas?",
        "Here is the screenshot you asked for.",
        "Great, thank you for the quick help.",
        "Could you confirm by email once it's done?",
        "It happened again this morning.",
    ];

    public static readonly string[] Notes =
    [
        "Checked the payment provider: the second charge is a pending authorisation, not a capture.",
        "Customer called about this as well. Escalating to the team lead.",
        "Known issue, linked to the release from last week.",
        "Refund approved by finance.",
        "Courier claim opened; reference in the shipping sheet.",
        "VIP customer: please answer within the hour.",
    ];
}
