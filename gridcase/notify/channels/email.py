"""E-mail through Django's mail settings (GRIDCASE_EMAIL_HOST …): one message per delivery."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils.translation import gettext as _

from .message import ChannelError, Message

TIMEOUT_SECONDS = 20


def addresses(target: str) -> list[str]:
    return [a.strip() for a in target.replace(";", ",").replace(",", ",").split(",") if a.strip()]


def send(*, target: str, secret: str, message: Message) -> None:
    to = addresses(target)
    if not to:
        raise ChannelError(_("未填写收件地址"), permanent=True)
    subject = ("【重大】" if message.major else "") + message.title
    mail = EmailMessage(
        subject=subject,
        body=message.text(),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers={"X-Gridcase-Notification": message.uid},
    )
    try:
        connection = get_connection(fail_silently=False, timeout=TIMEOUT_SECONDS)
        sent = connection.send_messages([mail])
    except smtplib.SMTPRecipientsRefused as exc:
        refused = ", ".join(exc.recipients)
        raise ChannelError(
            _("收件地址被拒绝:%(addresses)s") % {"addresses": refused}, permanent=True
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise ChannelError(_("邮件发送失败:%(error)s") % {"error": exc}) from None
    if not sent:
        raise ChannelError(_("邮件未发出(邮件服务器未接受)"))
