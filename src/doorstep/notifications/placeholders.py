"""What stored messages hold where a secret goes: the secret is made only when the message is sent.

Visit links and invitation codes exist in clear only in the message that carries them; the
outbox (and so the back office's log) keeps these placeholders, and the sender fills them in.
"""

VISIT_LINK = "[visit link]"
INVITATION_CODE = "[invitation code]"
INVITATION_LINK = "[invitation link]"
