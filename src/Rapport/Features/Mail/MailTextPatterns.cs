using System.Text.RegularExpressions;

namespace Rapport.Features.Mail;

/// <summary>The line patterns <see cref="MailText"/> reads mail with: attributions ("On … wrote:"), header blocks, separators,
/// forward markers and mobile signatures, in the languages customers write in. Every pattern runs in linear time
/// (<see cref="RegexOptions.NonBacktracking"/>) on a line cut to <see cref="MaxLine"/> characters, so hostile mail costs
/// bounded work per line.</summary>
internal static partial class MailTextPatterns
{
    public const int MaxLine = 600;
    private const RegexOptions Linear = RegexOptions.IgnoreCase | RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    /// <summary>"wrote" in the attribution of the languages we read (and a few more mail apps write).</summary>
    private const string Wrote = @"(\b(wrote|writes|has written|schrieb|schreibt|schreef|a écrit|a ecrit|escribió|escribio|escreveu|ha scritto|scrisse|skrev|skriver|kirjoitti|napisał\(a\)|napisał|napisała|napisal|pisze|пишет|написал\(а\)|написал|написала|đã viết|napsal\(a\)|napsal|yazdı|írta)|写道|寫道|書きました)";

    /// <summary>A whole attribution (one line, or two or three joined): "On … X wrote:", "Am … schrieb X:", "X 于 … 写道：",
    /// the Android "---- X wrote ----", and the date-led "2025-03-03 10:15 GMT+01:00 X &lt;x@y&gt;:" form.</summary>
    [GeneratedRegex(@"^\s*-*\s*\S.{0,400}" + Wrote + @".{0,80}([:：]|-{2,})\s*$", Linear)]
    public static partial Regex Attribution();

    /// <summary>Gmail's date-led attribution (Japanese, Russian, ISO dates): a date or weekday, a name and an address, a colon.</summary>
    [GeneratedRegex(@"^\s*(\d{4}[-/.年]\s?\d{1,2}[-/.月]|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\p{L}{2,4}\.?,\s*\d{1,2}\s).{0,300}(<[^<>\s]{1,200}@[^<>\s]{1,200}>|\([^()\s]{1,200}@[^()\s]{1,200}\))\s*[:：]\s*$", Linear)]
    public static partial Regex DateLedAttribution();

    /// <summary>What only a real attribution has: a time, a date or an address.</summary>
    [GeneratedRegex(@"\d{1,2}[:.]\d{2}|@|\d{4}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}\.?\s+\p{L}{3,}", Linear)]
    public static partial Regex DateOrAddress();

    /// <summary>A line opening a wrapped attribution: "On …", "Am …", "Le …", "El …", "Il giorno …", "Op …", "Em …",
    /// "Den …", "W dniu …", "В …", "Vào …", "在 …", or a date.</summary>
    [GeneratedRegex(@"^\s*(On|Am|Le|El|Il|Op|Em|Den|På|W dniu|Dnia|В|Vào|在|於|Pada|Dne|\d{1,4}[-/.年]|\p{L}{2,4}\.?,? \d)", Linear)]
    public static partial Regex AttributionStart();

    /// <summary>A quoted line: "&gt; …", also indented. "Tim&gt; …" is checked apart (<see cref="NamedQuote"/>).</summary>
    [GeneratedRegex(@"^\s{0,8}>", Linear)]
    public static partial Regex Quoted();

    /// <summary>The Supercite style "Tim&gt; text": a short name (no spaces) right before "&gt;".</summary>
    [GeneratedRegex(@"^\s{0,3}([A-Za-z][A-Za-z0-9._-]{0,15})>(\s|$)", Linear)]
    public static partial Regex NamedQuote();

    /// <summary>The first field of a header block: From (and its translations), bold or indented.</summary>
    [GeneratedRegex(@"^\s{0,8}\*{0,2}\s?(From|De|Fra|Från|Von|Van|Da|Od|Lähettäjä|Afsender|Avsender|Nadawca|Remitente|Mittente|Expéditeur|Absender|От|Від|送信者|差出人|发件人|寄件者|Feladó|Kimden|Van)\s?\*{0,2}\s?[:：]", Linear)]
    public static partial Regex FromField();

    /// <summary>The other fields of a header block.</summary>
    [GeneratedRegex(@"^\s{0,8}\*{0,2}\s?(Sent|Date|Dato|To|Cc|Subject|Gesendet|Datum|An|Betreff|Envoyé|À|A|Objet|Enviado|Enviada|Fecha|Para|Asunto|Assunto|Data|Inviato|Oggetto|Verzonden|Verstuurd|Aan|Onderwerp|Skickat|Till|Ämne|Sendt|Til|Emne|Lähetetty|Päivämäärä|Vastaanottaja|Aihe|Wysłano|Wysłane|Do|Temat|Отправлено|Дата|Кому|Тема|送信日時|日付|宛先|件名|发送时间|发送日期|日期|时间|收件人|主题|寄件日期|收件者|主旨|Elküldve|Címzett|Tárgy|Tarih|Kime|Konu)\s?\*{0,2}\s?[:：]", Linear)]
    public static partial Regex OtherField();

    /// <summary>A header block may also start with its date (some Outlook versions, some web mail).</summary>
    [GeneratedRegex(@"^\s{0,8}\*{0,2}\s?(Date|Dato|Sent|Datum|Gesendet|Envoyé|Enviado|Fecha|Data|Inviato|Verzonden|Skickat|Sendt|Lähetetty|Wysłano|Отправлено|Дата|送信日時|发送时间)\s?\*{0,2}\s?[:：]", Linear)]
    public static partial Regex DateField();

    /// <summary>The subject field of a header block.</summary>
    [GeneratedRegex(@"^\s{0,8}\*{0,2}\s?(Subject|Betreff|Objet|Asunto|Assunto|Oggetto|Onderwerp|Ämne|Emne|Aihe|Temat|Тема|件名|主题|主旨|Tárgy|Konu)\s?\*{0,2}\s?[:：]", Linear)]
    public static partial Regex SubjectField();

    /// <summary>A subject that says "forwarded": Fwd:, FW:, WG:, TR:, RV:, I:, VS:, Doorst:, Enc:, PD:, Пересл:.</summary>
    [GeneratedRegex(@"^\s*(fwd?|fw|wg|tr|rv|i|vs|vb|vl|doorst|enc|pd|пересл|转发|轉寄)\s?[:：]", Linear)]
    public static partial Regex ForwardPrefix();

    /// <summary>"-----Original Message-----" and its spellings.</summary>
    [GeneratedRegex(@"^\s*[-_=*]{2,}\s*(Original Message|Original|Reply Message|Ursprüngliche Nachricht|Original-Nachricht|Originalnachricht|Message d'origine|Message original|Mensaje original|Mensaje Original|Messaggio originale|Oorspronkelijk bericht|Origineel bericht|Oprindelig meddelelse|Oprindelig besked|Opprinnelig e-post|Opprinnelig melding|Ursprungligt meddelande|Originalmeddelande|Alkuperäinen viesti|Wiadomość oryginalna|Oryginalna wiadomość|Исходное сообщение|Оригинальное сообщение|元のメッセージ|原始邮件|原始郵件|Mensagem original|Mensagem Original)\s*[-_=*]{2,}\s*$", Linear)]
    public static partial Regex OriginalMessage();

    /// <summary>A forward's marker: Gmail's dashed line, Apple Mail's "Begin forwarded message:", Thunderbird's
    /// "-------- Forwarded Message --------", in the languages we read.</summary>
    [GeneratedRegex(@"^\s*([-_=*]{2,}\s*(Forwarded message|Forwarded Message|Weitergeleitete Nachricht|Message transféré|Message réexpédié|Mensaje reenviado|Messaggio inoltrato|Doorgestuurd bericht|Mensagem encaminhada|Mensagem reencaminhada|Vidarebefordrat meddelande|Videresendt meddelelse|Videresendt melding|Välitetty viesti|Przekazana wiadomość|Wiadomość przekazana|Пересланное сообщение|転送されたメッセージ|转发的邮件|轉寄的郵件)\s*[-_=*]{2,}|(Begin forwarded message|Anfang der weitergeleiteten Nachricht|Début du message réexpédié|Début du message transféré|Inicio del mensaje reenviado|Comienzo del mensaje reenviado|Inizio messaggio inoltrato|Begin doorgestuurd bericht|Início da mensagem reencaminhada|Início da mensagem encaminhada|Vidarebefordrat brev|Videresendt besked|Videresendt e-post|Välitetty viesti alkaa|Początek przekazywanej wiadomości|Начало переадресованного сообщения|以下是转发的邮件)\s*[:：])\s*$", Linear)]
    public static partial Regex ForwardMarker();

    /// <summary>A separator line before a header block: Outlook's underscores, dashes.</summary>
    [GeneratedRegex(@"^\s*(_{5,}|-{5,}|={5,}|—{3,})\s*$", Linear)]
    public static partial Regex Separator();

    /// <summary>A mobile or mail-app signature: "Sent from my iPhone", "Get Outlook for Android", "Von meinem iPhone gesendet"…</summary>
    [GeneratedRegex(@"^\s*((Sent|Envoyé|Enviado|Inviato|Verzonden|Verstuurd|Skickat|Sendt|Lähetetty|Wysłane|Wysłano|Отправлено|Gesendet|Von meinem|Enviada|Odesláno)\s+(from|with|via|using|de|depuis|desde|do|da|dal|dalla|vanaf|met|från|fra|von|mit|z|с|со|из|från min|from my|iz)\b.{0,60}|(Get|Obtenir|Télécharger|Obtener|Descargar|Obter|Baixe|Scarica|Ottieni|Downloaden|Download|Hämta|Hent|Få|Hanki|Pobierz|Получите|Скачайте|Holen Sie sich|Outlook für)\b.{0,30}Outlook.{0,60}|.{0,20}(iPhone|iPad|Android|Outlook)\s*(から送信|用 Outlook を入手)|(发自|寄自|从我的|來自我的).{0,30}|Von meinem .{1,40} gesendet|.{1,30}\s(iPhonesta|iPadista|Android-puhelimesta|Android-laitteesta))\s*$", Linear)]
    public static partial Regex MobileSignature();

    /// <summary>What a mobile signature names: a device or a mail app.</summary>
    [GeneratedRegex(@"iPhone|iPad|Android|BlackBerry|Samsung|Galaxy|Huawei|Xiaomi|Pixel|mobil|móvil|movil|cellulare|smartphone|Outlook|Mail|Yahoo|Gmail|Windows|Proton|Spark|AOL|Почты|手机|手機|设备|iPhonesta|iPadista|Android-", Linear)]
    public static partial Regex DeviceOrApp();

    /// <summary>What a signature block holds: an address, a phone number, a web address.</summary>
    [GeneratedRegex(@"\S@\S|\+?\d[\d ()./-]{6,}\d|www\.|https?://", Linear)]
    public static partial Regex ContactDetail();

    /// <summary>A sign-off of a dash and a name: "-Abhishek", "— Ann".</summary>
    [GeneratedRegex(@"^\s*[-–—~]\s?\p{Lu}[\p{L}.'-]{1,20}\s*$", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    public static partial Regex DashName();

    /// <summary>A mailing list's footer under its separator.</summary>
    [GeneratedRegex(@"mailing list|listinfo|/mailman/|unsubscribe|abbestellen|désinscri|darse de baja", Linear)]
    public static partial Regex ListFooter();
}
