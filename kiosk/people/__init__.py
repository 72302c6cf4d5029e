"""People: desk users, approvals by the approver, sign-in throttling and bounded password hashing."""
