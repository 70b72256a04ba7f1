"""Errors a user can cause and fix; the CLI prints them as one line, without a traceback."""


class LeadstreamError(Exception):
    """A problem the user can fix; its message says what to change."""


class ConfigError(LeadstreamError):
    """A setting or campaign definition is invalid; the message names the key."""


class StorageUnavailable(LeadstreamError):
    """The database could not be reached after retrying."""


class ModelNotFound(LeadstreamError):
    """The model registry has no version for the requested name or alias."""
