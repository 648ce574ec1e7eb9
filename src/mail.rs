//! Email: sending invitation and password reset links when an SMTP server is configured
//! (`TRELLIS_SMTP_URL`, `TRELLIS_MAIL_FROM`). Without one, admins pass links on themselves.
//!
//! Mail is sent after the link's transaction has committed, and its failure never fails a request:
//! the admin still sees the link once and can copy it.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::auth::Actor;
use crate::config::Config;
use crate::people::accounts::{IssuedLink, LinkPurpose};

/// How long one attempt to hand a message to the SMTP server may take.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// The address of a one-time account link on this site.
pub fn link_url(base_url: &str, secret: &str) -> String {
    format!("{}/account/link/{secret}", base_url.trim_end_matches('/'))
}

/// Emails a link just issued to its account's owner: `Ok` with the address, or `Err` with why not.
/// One invitation and many (the page and the API) all send theirs this way.
pub async fn send_issued(
    mailer: &Mailer,
    base_url: &str,
    link: &IssuedLink,
    actor: &Actor,
) -> Result<String, String> {
    let url = link_url(base_url, &link.secret);
    let mail = LinkMail {
        to_email: &link.email,
        to_name: &link.name,
        purpose: link.purpose,
        url: &url,
        expires_at: link.expires_at,
        issued_by: &actor.label,
    };
    match mailer.send_link(&mail).await {
        Ok(()) => Ok(link.email.clone()),
        Err(reason) => {
            tracing::warn!(
                user_id = link.user_id,
                "the {} could not be emailed: {reason}",
                link.purpose.describe()
            );
            Err(reason)
        }
    }
}

/// Sends email through the configured SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

/// One link to send: to whom, what for, and who issued it.
pub struct LinkMail<'a> {
    pub to_email: &'a str,
    pub to_name: &'a str,
    pub purpose: LinkPurpose,
    pub url: &'a str,
    pub expires_at: i64,
    /// The admin who issued the link, as the audit log names them.
    pub issued_by: &'a str,
}

impl Mailer {
    /// The mailer of a configuration: none when `TRELLIS_SMTP_URL` is not set, an error when it or
    /// the sender cannot be used.
    pub fn from_config(config: &Config) -> Result<Option<Mailer>, String> {
        let Some(url) = config.smtp_url.as_deref().filter(|u| !u.trim().is_empty()) else {
            return Ok(None);
        };
        let from = config
            .mail_from
            .as_deref()
            .filter(|f| !f.trim().is_empty())
            .ok_or(
                "TRELLIS_SMTP_URL is set: set TRELLIS_MAIL_FROM to the address emails come from",
            )?;
        let from: Mailbox = from
            .trim()
            .parse()
            .map_err(|e| format!("TRELLIS_MAIL_FROM is not an email address ({e})"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&transport_url(url)?)
            .map_err(|e| format!("TRELLIS_SMTP_URL cannot be used: {e}"))?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        Ok(Some(Mailer { transport, from }))
    }

    /// Sends an invitation or password reset link to the account's owner.
    pub async fn send_link(&self, mail: &LinkMail<'_>) -> Result<(), String> {
        let address = mail
            .to_email
            .parse()
            .map_err(|e| format!("{} is not an address mail can go to ({e})", mail.to_email))?;
        let name = mail.to_name.trim();
        let to = Mailbox::new((!name.is_empty()).then(|| name.to_owned()), address);
        let (subject, body) = link_text(mail);
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| format!("the message cannot be written: {e}"))?;
        match tokio::time::timeout(SEND_TIMEOUT, self.transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(format!("the mail server refused it: {e}")),
            Err(_) => Err("the mail server did not answer in time".to_owned()),
        }
    }
}

/// The subject and plain-text body of a link email.
fn link_text(mail: &LinkMail<'_>) -> (String, String) {
    let greeting = match mail.to_name.trim() {
        "" => "Hello,".to_owned(),
        name => format!("Hello {name},"),
    };
    let until = crate::web::format_time(&mail.expires_at);
    let (subject, what, lasts) = match mail.purpose {
        LinkPurpose::Invite => (
            "Your invitation to Trellis",
            "invited you to Trellis, where your organisation keeps its career tracks. \
             Open this link to choose your password and sign in",
            "a week",
        ),
        LinkPurpose::Reset => (
            "Choose a new Trellis password",
            "issued a password reset link for your Trellis account. \
             Open this link to choose a new password",
            "an hour",
        ),
    };
    let by = mail.issued_by;
    let body = [
        greeting,
        format!("{by} {what}:"),
        mail.url.to_owned(),
        format!(
            "The link works once, for {lasts}: until {until}. If it has expired or was used \
             already, ask {by} for a new one."
        ),
        "If you did not expect this email, you can ignore it: nothing changes until the link is \
         used."
            .to_owned(),
    ]
    .iter()
    .map(|paragraph| wrap(paragraph, 72))
    .collect::<Vec<_>>()
    .join("\n\n")
        + "\n";
    (subject.to_owned(), body)
}

/// A paragraph broken into lines of at most `width` characters where it has spaces; a longer word
/// (a link) keeps a line of its own.
fn wrap(paragraph: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in paragraph.split_whitespace() {
        let len = word.chars().count();
        if line > 0 && line + 1 + len > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += len;
    }
    out
}

/// Turns Trellis's SMTP URL into lettre's: `smtp://` means STARTTLS required unless `?tls=` says
/// otherwise, `?tls=none` means no encryption at all, and `smtps://` means TLS from the start.
fn transport_url(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let (base, query) = raw.split_once('?').unwrap_or((raw, ""));
    let mut tls = None;
    let mut rest = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("tls", value)) => tls = Some(value),
            _ => rest.push(pair),
        }
    }
    let tls = if base.starts_with("smtps://") {
        match tls {
            None => None,
            Some(other) => {
                return Err(format!(
                    "TRELLIS_SMTP_URL: smtps:// always uses TLS; leave out tls={other}"
                ));
            }
        }
    } else if base.starts_with("smtp://") {
        match tls {
            None | Some("required") => Some("required"),
            Some("opportunistic") => Some("opportunistic"),
            Some("none") => None,
            Some(other) => {
                return Err(format!(
                    "TRELLIS_SMTP_URL: tls={other} is not one of required, opportunistic or none"
                ));
            }
        }
    } else {
        return Err(
            "TRELLIS_SMTP_URL must start with smtp:// (STARTTLS) or smtps:// (TLS)".to_owned(),
        );
    };
    if let Some(tls) = tls {
        rest.push(match tls {
            "required" => "tls=required",
            _ => "tls=opportunistic",
        });
    }
    Ok(if rest.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", rest.join("&"))
    })
}

#[cfg(test)]
mod tests {
    use super::{LinkMail, link_text, transport_url, wrap};
    use crate::people::accounts::LinkPurpose;

    #[test]
    fn paragraphs_wrap_at_spaces_and_keep_long_words_whole() {
        assert_eq!(wrap("one two three", 7), "one two\nthree");
        assert_eq!(
            wrap("a https://x.example/long b", 5),
            "a\nhttps://x.example/long\nb"
        );
    }

    #[test]
    fn an_invitation_says_who_sent_it_what_it_does_and_how_long_it_works() {
        let (subject, body) = link_text(&LinkMail {
            to_email: "nova@example.com",
            to_name: "Nova Newcomer",
            purpose: LinkPurpose::Invite,
            url: "https://careers.example.com/account/link/trl_abc",
            expires_at: 0,
            issued_by: "admin@example.com",
        });
        assert_eq!(subject, "Your invitation to Trellis");
        assert!(body.starts_with("Hello Nova Newcomer,\n\nadmin@example.com invited you"));
        assert!(body.contains("\nhttps://careers.example.com/account/link/trl_abc\n"));
        assert!(body.contains("The link works once, for a week: until 1970-01-01 00:00 UTC."));
        assert!(
            body.lines()
                .all(|l| l.len() <= 72 || l.starts_with("https://"))
        );
    }

    #[test]
    fn smtp_urls_require_starttls_unless_told_otherwise() {
        assert_eq!(
            transport_url("smtp://u:p@mail.example.com:587").as_deref(),
            Ok("smtp://u:p@mail.example.com:587?tls=required")
        );
        assert_eq!(
            transport_url("smtp://127.0.0.1:2525?tls=none").as_deref(),
            Ok("smtp://127.0.0.1:2525")
        );
        assert_eq!(
            transport_url("smtp://h?tls=opportunistic").as_deref(),
            Ok("smtp://h?tls=opportunistic")
        );
        assert_eq!(
            transport_url("smtps://u:p@h:465").as_deref(),
            Ok("smtps://u:p@h:465")
        );
        assert!(transport_url("smtps://h?tls=none").is_err());
        assert!(transport_url("smtp://h?tls=maybe").is_err());
        assert!(transport_url("http://h").is_err());
    }
}
