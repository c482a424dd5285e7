"""The one exception type that services raise for a person to read."""


class DomainError(Exception):
    """A request the product refuses, with a message that can be shown as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
