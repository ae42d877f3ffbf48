using System.Diagnostics;
using Rapport.Features.Mail;

namespace Rapport.Tests.Features.Mail;

public sealed class MailTextTests
{
    [Fact]
    public void Read_TopPosted_NewTextAboveTheQuote()
    {
        var text = MailText.Read("Thanks, that fixed it.\n\nOn Mon, 2 Mar 2026 at 09:00, Shop <support@shop.example> wrote:\n> Try restarting.");

        text.NewText.ShouldBe("Thanks, that fixed it.");
        text.Quoted.ShouldContain("> Try restarting.");
    }

    [Fact]
    public void Read_BottomPosted_KeepsEverythingBelowTheQuote()
    {
        var text = MailText.Read("Hi,\nOn Tue, 2011-03-01 at 10:00 +0100, Bob wrote:\n> How do I list the keys?\n\nYou can list the keys\nwith the list command.");

        text.NewText.ShouldBe("Hi,\n\nYou can list the keys\nwith the list command.");
    }

    [Fact]
    public void Read_AttributionOnTheFirstLine_ShowsTheAnswerNotTheQuote()
    {
        var text = MailText.Read("On Apr 3, 2012, at 4:19 PM, bob wrote:\n> Hi\nHello");

        text.NewText.ShouldBe("Hello");
    }

    [Fact]
    public void Read_Interleaved_KeepsEachAnswerUnderTheLineItAnswers()
    {
        var text = MailText.Read("> What is your order number?\n4711\n> And your address?\nMain Street 1");

        text.Interleaved.ShouldBeTrue();
        text.NewText.ShouldBe("4711\n\nMain Street 1");
        text.Shown().ShouldBe("> What is your order number?\n4711\n\n> And your address?\nMain Street 1");
    }

    [Theory]
    [InlineData("On Mon, Mar 3, 2025 at 10:15 AM Acme Customer Support Team <support@acme.example>\nwrote:")]
    [InlineData("Am Mo., 3. März 2025 um 10:15 Uhr schrieb Acme <support@acme.example>:")]
    [InlineData("Le lun. 3 mars 2025 à 10:15, Acme <support@acme.example> a écrit :")]
    [InlineData("El lun, 3 mar 2025 a las 10:15, Acme (<support@acme.example>) escribió:")]
    [InlineData("Il giorno lun 3 mar 2025 alle ore 10:15 Acme <support@acme.example> ha scritto:")]
    [InlineData("Op ma 3 mrt. 2025 om 10:15 schreef Acme <support@acme.example>:")]
    [InlineData("Em seg., 3 de mar. de 2025 às 10:15, Acme <support@acme.example> escreveu:")]
    [InlineData("Den mån 3 mars 2025 kl 10:15 skrev Acme <support@acme.example>:")]
    [InlineData("Den man. 3. mar. 2025 kl. 10.15 skrev Acme <support@acme.example>:")]
    [InlineData("man. 3. mar. 2025 kl. 10:15 skrev Acme <support@acme.example>:")]
    [InlineData("ma 3.3.2025 klo 10.15 Acme (support@acme.example) kirjoitti:")]
    [InlineData("pon., 3 mar 2025 o 10:15 Acme <support@acme.example> napisał(a):")]
    [InlineData("пн, 3 мар. 2025 г. в 10:15, Acme <support@acme.example>:")]
    [InlineData("2025年3月3日(月) 10:15 Acme <support@acme.example>:")]
    [InlineData("Acme <support@acme.example> 于2025年3月3日周一 10:15写道：")]
    [InlineData("2025-03-03 10:15 GMT+01:00 Acme <support@acme.example>:")]
    [InlineData("---- On Mon, 03 Mar 2025 10:15:00 +0100 Acme <support@acme.example> wrote ----")]
    [InlineData("Acme <support@acme.example> schrieb am Mo., 3.\nMärz 2025, 10:15:")]
    public void Read_AttributionInEachLanguage_StartsTheHistory(string attribution)
    {
        var text = MailText.Read($"Yes, please go ahead.\n\n{attribution}\n\nShall we replace the part?");

        text.NewText.ShouldBe("Yes, please go ahead.");
        text.Quoted.ShouldContain("Shall we replace the part?");
    }

    [Theory]
    [InlineData("From: Acme <support@acme.example>\nSent: Monday, March 3, 2025 10:15\nTo: Ann\nSubject: RE: Order")]
    [InlineData("________________________________\nDe : Acme <support@acme.example>\nEnvoyé : lundi 3 mars 2025 10:15\nÀ : Ann\nObjet : RE: Commande")]
    [InlineData("Fra: Acme <support@acme.example>\nSendt: 3. marts 2025 10:15\nTil: Ann\nEmne: SV: Ordre")]
    [InlineData("Från: Acme <support@acme.example>\nSkickat: den 3 mars 2025 10:15\nTill: Ann\nÄmne: SV: Order")]
    [InlineData("Von: Acme <support@acme.example>\nGesendet: Montag, 3. März 2025 10:15\nAn: Ann\nBetreff: AW: Bestellung")]
    [InlineData("От: Acme <support@acme.example>\nОтправлено: 3 марта 2025 г. 10:15\nКому: Ann\nТема: RE: Заказ")]
    [InlineData("    *From:* Acme <support@acme.example>\n    *Sent:* Monday, March 3, 2025 10:15\n    *To:* Ann")]
    [InlineData("Date: Mon, 3 Mar 2025 10:15:00 +0100\nFrom: support@acme.example\nSubject: Order")]
    [InlineData("-----Original Message-----\nFrom: Acme\nSent: Monday")]
    [InlineData("-----Reply Message-----\nFrom: Acme")]
    [InlineData("-----Oprindelig meddelelse-----\nFra: Acme")]
    [InlineData("-------- Original message --------\nFrom: Acme <support@acme.example>\nDate: 03/03/2025 10:15")]
    public void Read_HeaderBlocksAndSeparators_StartTheHistory(string block)
    {
        var text = MailText.Read($"Yes, please go ahead.\n\n{block}\n\nShall we replace the part?");

        text.NewText.ShouldBe("Yes, please go ahead.");
        text.Quoted.ShouldContain("Shall we replace the part?");
        text.Quoted.ShouldNotContain("go ahead");
    }

    [Theory]
    [InlineData("Sent from my iPhone")]
    [InlineData("Get Outlook for Android")]
    [InlineData("Von meinem iPhone gesendet")]
    [InlineData("Envoyé de mon iPhone")]
    [InlineData("Enviado desde mi iPhone")]
    [InlineData("Inviato da iPhone")]
    [InlineData("Verzonden vanaf mijn iPhone")]
    [InlineData("Enviado do meu iPhone")]
    [InlineData("Skickat från min iPhone")]
    [InlineData("Sendt fra min iPhone")]
    [InlineData("Lähetetty iPhonesta")]
    [InlineData("Wysłane z iPhone'a")]
    [InlineData("Отправлено с iPhone")]
    [InlineData("iPhoneから送信")]
    [InlineData("发自我的iPhone")]
    public void Read_MobileSignature_IsTheSignatureNotTheText(string signature)
    {
        var text = MailText.Read($"My card has not arrived yet.\n\n{signature}");

        text.NewText.ShouldBe("My card has not arrived yet.");
        text.Signature.ShouldBe(signature);
    }

    [Fact]
    public void Read_DashDashSignature_KeptApartUntilTheQuote()
    {
        var text = MailText.Read("Where is my parcel?\n-- \nAnn Example\nPhone 123\n\nOn 3 Mar 2025, at 10:15, Acme <s@acme.example> wrote:\n> Shipped.");

        text.NewText.ShouldBe("Where is my parcel?");
        text.Signature.ShouldBe("--\nAnn Example\nPhone 123");
        text.Quoted.ShouldContain("Shipped.");
    }

    [Fact]
    public void Read_ContactBlockUnderASeparator_IsTheSignature()
    {
        var text = MailText.Read("Thanks for the update!\n\nSarah\n\n_____\nSarah Johnson\nProduct Manager\n+1 555-0123");

        text.NewText.ShouldBe("Thanks for the update!\n\nSarah");
        text.Signature.ShouldContain("+1 555-0123");
    }

    [Fact]
    public void Read_SeparatorAboveOrdinaryText_StaysNewText()
    {
        var message = "Step one done.\n-----\nStep two: the lid still rattles.";

        MailText.Read(message).NewText.ShouldBe(message);
    }

    [Fact]
    public void Read_DashNameSignOff_IsTheSignature()
    {
        var text = MailText.Read("How do I export the report?\n\n-Abhishek\n\nOn Mon, 3 Mar 2025 at 10:15, Shop <s@shop.example> wrote:\n> Hello");

        text.NewText.ShouldBe("How do I export the report?");
        text.Signature.ShouldBe("-Abhishek");
    }

    [Fact]
    public void Read_DashItemInAList_StaysNewText()
    {
        var message = "Two things fail:\n-Printer\n-Scanner";

        MailText.Read(message).NewText.ShouldBe(message);
    }

    [Fact]
    public void Read_NamedQuoteStyle_IsQuoted()
    {
        var text = MailText.Read("Tim> Does the new release fix it?\nTim> I still see the error.\n\nYes, 2.1 fixes it.");

        text.NewText.ShouldBe("Yes, 2.1 fixes it.");
    }

    [Fact]
    public void Read_Forward_ShowsTheForwardedRequestWithItsSender()
    {
        var text = MailText.Read("FYI\n\n---------- Forwarded message ---------\nFrom: Ann Example <ann@example.com>\nDate: Mon, Mar 3, 2025 at 10:15 AM\nSubject: Broken kettle\nTo: Bob <bob@example.com>\n\nMy kettle stopped working. Can you replace it?");

        text.NewText.ShouldBe("FYI");
        text.Forwards.Single().From.ShouldBe("Ann Example <ann@example.com>");
        text.Content.ShouldContain("Can you replace it?");
        text.Shown().ShouldContain("From: Ann Example <ann@example.com>");
        text.Shown().ShouldContain("My kettle stopped working. Can you replace it?");
    }

    [Fact]
    public void Read_AppleForward_ShowsTheForwardedRequest()
    {
        var text = MailText.Read("Begin forwarded message:\n\nFrom: Ann <ann@example.com>\nSubject: Refund\nDate: 3 March 2025 at 10:15:00 CET\n\nPlease refund order 4711.");

        text.Content.ShouldBe("Please refund order 4711.");
        text.Forwards.Single().Subject.ShouldBe("Refund");
    }

    [Fact]
    public void Read_OutlookForwardBySubject_IsAForward()
    {
        var text = MailText.Read("See below.\n\n________________________________\nFrom: Ann <ann@example.com>\nSent: Monday, March 3, 2025 10:15\nSubject: FW: Refund\n\nPlease refund order 4711.", "FW: Refund");

        text.Content.ShouldContain("Please refund order 4711.");
    }

    [Theory]
    [InlineData("As I wrote:\nthe printer is broken.")]
    [InlineData("From: the shop on Main Street I bought a kettle.\nIt broke.")]
    [InlineData("On Monday I called you.\nNobody answered.")]
    [InlineData("Sent from the warehouse on Monday, the parcel never arrived.")]
    [InlineData("The query fails:\nmysql> select * from orders;\nmysql> ERROR 1146")]
    public void Read_LooksLikeAMarkerButIsNot_KeepsAllAsNewText(string message)
    {
        MailText.Read(message).NewText.ShouldBe(message);
    }

    [Fact]
    public void Read_OnlyQuotes_KeepsEverythingRatherThanNothing()
    {
        MailText.Read("> forwarded\n> text").NewText.ShouldBe("> forwarded\n> text");
    }

    [Fact]
    public void Read_MailingListFooter_IsNotTheText()
    {
        var text = MailText.Read("Any suggestions?\n\n_______________________________________________\nUsers mailing list\nusers@lists.example.org\nhttps://lists.example.org/mailman/listinfo/users");

        text.NewText.ShouldBe("Any suggestions?");
    }

    [Fact]
    public void ReadHtml_GmailQuote_NewTextAbove()
    {
        var html = "<div dir=\"ltr\">Thanks, it works now.</div><br><div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">On Mon, Mar 3, 2025 at 10:15 AM Acme &lt;s@acme.example&gt; wrote:<br></div><blockquote class=\"gmail_quote\">Try again.</blockquote></div>";

        MailText.ReadHtml(html, null, TimeProvider.System, CancellationToken.None).NewText.ShouldBe("Thanks, it works now.");
    }

    [Fact]
    public void ReadHtml_ThunderbirdCitePrefix_AndSignature()
    {
        var html = "<p>It still fails.</p><div class=\"moz-signature\">Ann Example</div><div class=\"moz-cite-prefix\">On 03.03.25 10:15, Acme wrote:<br></div><blockquote type=\"cite\">Try again.</blockquote>";

        var text = MailText.ReadHtml(html, null, TimeProvider.System, CancellationToken.None);

        text.NewText.ShouldBe("It still fails.");
        text.Signature.ShouldContain("Ann Example");
    }

    [Fact]
    public void ReadHtml_OutlookReplyHeader_EverythingAfterIsHistory()
    {
        var html = "<div>Please call me.</div><div id=\"appendonsend\"></div><hr><div id=\"divRplyFwdMsg\"><b>From:</b> Acme<br><b>Sent:</b> Monday</div><div>Old text</div>";

        MailText.ReadHtml(html, null, TimeProvider.System, CancellationToken.None).NewText.ShouldBe("Please call me.");
    }

    [Fact]
    public void ReadHtml_AppleMailBottomPosted_KeepsTheTextBelow()
    {
        var html = "<div>On 3 Mar 2025, at 10:15, Acme &lt;s@acme.example&gt; wrote:</div><blockquote type=\"cite\"><div>Which model?</div></blockquote><div>The X200.</div>";

        MailText.ReadHtml(html, null, TimeProvider.System, CancellationToken.None).NewText.ShouldBe("The X200.");
    }

    [Fact]
    public void ReadHtml_GmailForward_IsTheContentNotHistory()
    {
        var html = "<div dir=\"ltr\">FYI<br><div class=\"gmail_quote\">---------- Forwarded message ---------<br>From: <b class=\"gmail_sendername\">Bob</b> &lt;bob@example.com&gt;<br>Date: Fri, Feb 11, 2010 at 5:59 PM<br>Subject: Broken lamp<br><br><div dir=\"ltr\">The lamp flickers, please replace it.</div></div></div>";

        var text = MailText.ReadHtml(html, null, TimeProvider.System, CancellationToken.None);

        text.NewText.ShouldBe("FYI");
        text.Forwards.Single().From.ShouldBe("Bob <bob@example.com>");
        text.Content.ShouldContain("The lamp flickers, please replace it.");
    }

    [Fact]
    public void ReadHtml_AppleMailForward_IsTheContent()
    {
        var html = "<div>Can you help?</div><div><br><div>Begin forwarded message:</div><br><blockquote type=\"cite\"><div><b>From: </b>Ann &lt;ann@example.com&gt;</div><div><b>Subject: </b>Refund</div><br><div>Please refund order 4711.</div></blockquote></div>";

        var text = MailText.ReadHtml(html, null, TimeProvider.System, CancellationToken.None);

        text.NewText.ShouldBe("Can you help?");
        text.Forwards.Single().Subject.ShouldBe("Refund");
        text.Content.ShouldContain("Please refund order 4711.");
        text.Content.ShouldNotContain(">");
    }

    [Fact]
    public void ReadHtml_OutlookDesktopDivider_EverythingAfterIsHistory()
    {
        var html = "<div class=\"WordSection1\"><p class=\"MsoNormal\">Yes, Tuesday works.</p><div style=\"border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm\"><p class=\"MsoNormal\"><b>From:</b> Acme Support<br><b>Sent:</b> Monday</p></div><p class=\"MsoNormal\">Would Tuesday suit you?</p></div>";

        var text = MailText.ReadHtml(html, null, TimeProvider.System, CancellationToken.None);

        text.NewText.ShouldBe("Yes, Tuesday works.");
        text.Quoted.ShouldContain("Would Tuesday suit you?");
    }

    [Fact]
    public void Read_HostileInput_BoundedWork()
    {
        var hostile = string.Concat(Enumerable.Repeat("On " + new string('a', 5000) + " wrote\n> " + new string('>', 3000) + "\nFrom: x\n", 400));
        var clock = Stopwatch.StartNew();

        var text = MailText.Read(hostile);

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
        (text.Parts.Sum(p => p.Text.Length) + text.Forwards.Count).ShouldBeGreaterThan(0);
    }
}
