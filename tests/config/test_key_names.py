"""A key webstack does not read is refused wherever it comes from, with the closest real key."""
import pytest

from config.key_names import KNOWN_KEYS, key_problem

# key as given, what the message says, the suggestion ('' for none)
UNKNOWN = [
    ("dbBackupRetentionDay", "webstack:dbBackupRetentionDay is not a webstack config key",
     "webstack:dbBackupRetentionDays"),
    ("webstack:dbBackupRetentionDay", "is not a webstack config key",
     "webstack:dbBackupRetentionDays"),
    ("tire", "webstack:tire is not a webstack config key", "webstack:tier"),
    ("TIER", "webstack:TIER is not a webstack config key", "webstack:tier"),
    ("appport", "is not a webstack config key", "webstack:appPort"),
    ("region", "webstack:region is not a webstack config key", "aws:region"),
    ("", "an empty key is not a config key", ""),
    ("   ", "an empty key is not a config key", ""),
    ("tier ", "has white space in it", "webstack:tier"),
    ("db Name", "has white space in it", "webstack:dbName"),
    ("webstak:tier", "the namespace 'webstak' is not read by webstack", "webstack:tier"),
    ("foo:bar", "the namespace 'foo' is not read by webstack", ""),
    ("aws:regoin", "aws:regoin is not read by webstack: its AWS providers are explicit",
     "aws:region"),
    ("aws:profile", "aws:profile is not read by webstack", ""),
    ("aws:tier", "aws:tier is not read by webstack", "webstack:tier"),
]


@pytest.mark.parametrize("key, says, suggestion", UNKNOWN)
def test_an_unknown_key_is_refused_with_the_closest_known_key(key, says, suggestion):
    problem = key_problem(key)
    assert says in problem
    if suggestion:
        assert problem.endswith(f"; did you mean {suggestion}?")
    else:
        assert "did you mean" not in problem


@pytest.mark.parametrize("key", [*KNOWN_KEYS, "tier", "appPort",
                                 "pulumi:disable-default-providers"])
def test_every_key_the_program_reads_is_known_with_or_without_its_namespace(key):
    # (and the engine's own pulumi: settings are the engine's to judge)
    assert key_problem(key) is None
