"""`studydigest watch` against recorded answers (tests/fixtures/watch): notices, trials and saved
searches, the report and its exit status, the polite client, and the last-run file.

No test reaches the network: every request goes to tests/watchreplay.Replay, which fails the
test on any request it has no recording for.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from studydigest.cli import main
from studydigest.editors.stub import import_bibtex
from studydigest.editors.watch import command, pubmed
from studydigest.editors.watch.client import Cache, PoliteClient, retry_after
from studydigest.editors.watch.report import markdown, to_json
from studydigest.editors.watch.run import Outcome, watch
from studydigest.records import lastcheck
from studydigest.records.validate import load_vocabulary
from studydigest.settings import Layout

from .conftest import valid_corpus
from .fakegh import fake_gh
from .watchreplay import Replay, make_watch_project

TODAY = dt.date(2026, 12, 7)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_watch_project(tmp_path_factory.mktemp("watch") / "project")


def run(
    root: Path,
    replay: Replay | None = None,
    *,
    sources: tuple[str, ...] = ("crossref", "clinicaltrials-gov", "pubmed"),
    cache: Cache | None = None,
    slept: list[float] | None = None,
    **client_options: str,
) -> Outcome:
    replay = replay or Replay()
    options = {"contact": "editors@example.org", **client_options}
    with PoliteClient(
        transport=replay.transport(),
        sleep=(slept if slept is not None else []).append,
        cache=cache,
        **options,  # type: ignore[arg-type]
    ) as client:
        return watch(
            valid_corpus(root),
            client,
            today=TODAY,
            sources=sources,
            previous=lastcheck.read(root),
            bibtex_file="watch/candidates.bib",
        )


@pytest.fixture(scope="module")
def outcome(root: Path) -> Outcome:
    return run(root)


def kinds(outcome: Outcome, source: str) -> list[tuple[str, str]]:
    found = next(s for s in outcome.report.sources if s.source == source).findings
    return sorted((f.kind, f.subject) for f in found)


def failed(outcome: Outcome, source: str) -> dict[str, str]:
    part = next(s for s in outcome.report.sources if s.source == source)
    return {f.subject: f.reason for f in part.failures}


# Notices (Crossref)


def test_notices_the_records_lack_are_found(outcome: Outcome) -> None:
    assert kinds(outcome, "crossref") == [
        ("correction", "able-2020"),
        ("doi-unknown", "irwin-2021"),
        ("expression-of-concern", "carter-2022"),
        ("retraction", "baker-2021"),  # reported by the publisher and Retraction Watch: once
    ]


def test_notices_the_records_hold_are_not_reported_again(outcome: Outcome) -> None:
    subjects = {subject for _, subject in kinds(outcome, "crossref")}
    assert {"fox-2018", "gray-2024"}.isdisjoint(subjects)  # same type and date in the record


def test_a_notice_finding_links_the_notice_and_says_who_reported_it(outcome: Outcome) -> None:
    crossref = next(s for s in outcome.report.sources if s.source == "crossref")
    retraction = next(f for f in crossref.findings if f.kind == "retraction")
    assert retraction.url == "https://doi.org/10.5555/fixture.baker-2021.retr"
    assert retraction.details["date"] == "2026-10-02"
    assert "Retraction Watch and the publisher" in retraction.what


def test_a_malformed_body_and_a_timeout_are_failures_that_name_the_doi(outcome: Outcome) -> None:
    failures = failed(outcome, "crossref")
    assert failures.keys() == {
        "10.5555/fixture.dunn-2019 (dunn-2019)",
        "10.5555/fixture.hale-2021 (hale-2021)",
    }
    assert failures["10.5555/fixture.dunn-2019 (dunn-2019)"].startswith("malformed response")
    assert failures["10.5555/fixture.hale-2021 (hale-2021)"] == "timed out after 20 s, 4 attempts"


def test_429_is_retried_after_the_wait_retry_after_asks_for(root: Path) -> None:
    slept: list[float] = []
    replay = Replay()
    outcome = run(root, replay, sources=("crossref",), slept=slept)
    assert replay.count("fixture.evans-2019") == 2
    assert 2.0 in slept
    assert "evans-2019" in outcome.state.notices_checked
    assert "evans-2019" not in str(outcome.report.sources[0].failures)


def test_retry_after_as_a_date_and_as_seconds() -> None:
    now = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
    assert retry_after("7") == 7.0
    assert retry_after("Mon, 07 Dec 2026 12:00:30 GMT", now) == 30.0
    assert retry_after("soon") is None


# Trials (ClinicalTrials.gov)


def test_trial_findings(outcome: Outcome) -> None:
    assert kinds(outcome, "clinicaltrials-gov") == [
        ("new-registration", "ctgov-microdosing"),  # NCT90000005 only: -01 recorded, -06 excluded
        ("publication-listed", "able-2020"),
        ("results-posted", "able-2020"),
        ("status-changed", "carter-2022"),
    ]
    trials = next(s for s in outcome.report.sources if s.source == "clinicaltrials-gov")
    listed = next(f for f in trials.findings if f.kind == "publication-listed")
    assert listed.details["pmid"] == "39000001"  # 10000001 is able-2020's own; BACKGROUND skipped
    new = next(f for f in trials.findings if f.kind == "new-registration")
    assert new.details == {"registration": "NCT90000005", "posted": "2026-11-18"}
    assert new.url == "https://clinicaltrials.gov/study/NCT90000005"
    changed = next(f for f in trials.findings if f.kind == "status-changed")
    assert changed.details == {
        "registration": "NCT90000002",
        "before": "RECRUITING",
        "now": "COMPLETED",
    }


def test_trial_failures_and_registries_without_an_api(outcome: Outcome) -> None:
    assert failed(outcome, "clinicaltrials-gov") == {
        "NCT90000003": "timed out after 20 s, 4 attempts",
        "NCT90000004": "malformed response: no protocolSection",
    }
    trials = next(s for s in outcome.report.sources if s.source == "clinicaltrials-gov")
    assert len(trials.by_hand) == 1 and "ISRCTN12345678" in trials.by_hand[0]


def test_trial_search_runs_from_its_last_run_date(root: Path) -> None:
    replay = Replay()
    run(root, replay, sources=("clinicaltrials-gov",))
    (search,) = [r for r in replay.requests if "query.term" in r.url.params]
    assert search.url.params["filter.advanced"] == "AREA[StudyFirstPostDate]RANGE[2026-11-01,MAX]"


def test_a_malformed_trial_search_answer_is_a_failure(root: Path) -> None:
    routes = [
        {
            "url": "https://clinicaltrials.gov/api/v2/studies",
            "answers": [{"body": '{"studies": [{"protocolSection": {}}]}'}],
        }
    ]
    outcome = run(root, Replay(routes), sources=("clinicaltrials-gov",))
    assert failed(outcome, "clinicaltrials-gov")["ctgov-microdosing"] == (
        "malformed response: a study has no identificationModule.nctId"
    )
    assert ("new-registration", "ctgov-microdosing") not in kinds(outcome, "clinicaltrials-gov")


def test_posted_results_the_record_cites_after_they_appeared_are_not_reported(root: Path) -> None:
    corpus = valid_corpus(root)
    able = corpus.studies["able-2020"]
    from studydigest.editors.watch.trials import holds_results

    assert not holds_results(able, "NCT90000001", dt.date(2026, 10, 20))
    cited = able.model_copy(
        update={
            "sources": [
                *able.sources,
                type(able.sources[0])(
                    url="https://clinicaltrials.gov/study/NCT90000001", supports="results"
                ),
            ],
            "review": able.review.model_copy(update={"last_reviewed": dt.date(2026, 11, 1)}),
        }
    )
    assert holds_results(cited, "NCT90000001", dt.date(2026, 10, 20))


# New studies (PubMed)


def test_new_candidates_exclude_studies_and_exclusions(outcome: Outcome) -> None:
    assert kinds(outcome, "pubmed") == [("new-candidate", "pubmed-microdosing-rct")]
    assert [c.pmid for c in outcome.candidates] == ["39000003"]  # not able-2020, not excluded
    assert failed(outcome, "pubmed") == {"pubmed-low-dose": "HTTP 503, 4 attempts"}
    pubmed_part = next(s for s in outcome.report.sources if s.source == "pubmed")
    assert pubmed_part.by_hand == [
        "metapsy-living (metapsy): re-run by hand; watch re-runs the PubMed and "
        "ClinicalTrials.gov searches"
    ]


def test_search_runs_from_its_last_run_date(root: Path) -> None:
    replay = Replay()
    run(root, replay, sources=("pubmed",))
    search = next(r for r in replay.requests if "microdos" in str(r.url))
    assert search.url.params["mindate"] == "2026/11/01"
    assert search.url.params["maxdate"] == "2026/12/07"
    assert search.url.params["datetype"] == "edat"


def test_candidates_bibtex_is_ready_for_import_bib(outcome: Outcome, root: Path) -> None:
    text = pubmed.bibtex(outcome.candidates)
    vocabulary, _ = load_vocabulary(Layout(root), [])
    result = import_bibtex(text, "watch/candidates.bib", set(), set(), vocabulary)
    assert result.problems == []
    (stub,) = result.stubs.values()
    assert "10.5555/fixture.quinn-2026" in stub and "id: quinn-2026" in stub
    assert "Quinn AB" in stub and "van Dijk C" in stub


def test_a_broken_search_file_stops_the_run_with_a_located_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_watch_project(tmp_path / "p")
    (project / "searches" / "broken.yaml").write_text(
        "id: broken\ndatabase: pubmed\nquery: x\nrun: last week\nresults: 1\n", encoding="utf-8"
    )
    replay = Replay()
    monkeypatch.setattr(command, "TRANSPORT", replay.transport())
    assert main(["--root", str(project), "watch", "--no-state"]) == 2
    out = capsys.readouterr().out
    assert "searches/broken.yaml:4:6: run:" in out
    assert "**Could not check everything**" in out and "Nothing new" not in out
    assert replay.requests == []


# The report and its exit status


def test_report_lists_failures_before_findings_and_never_says_nothing_new(
    outcome: Outcome,
) -> None:
    text = markdown(outcome.report)
    assert outcome.report.status == 2
    assert "Nothing new" not in text
    assert text.index("## Could not check") < text.index("## Crossref")
    for name in ("Crossref", "ClinicalTrials.gov", "PubMed"):
        assert f"- **{name}" in text
    assert "Exit status 2" in text


def test_json_report_names_every_finding_and_failure(outcome: Outcome) -> None:
    data = json.loads(to_json(outcome.report))
    assert data["status"] == 2
    counts = {s["source"]: (len(s["findings"]), len(s["failures"])) for s in data["sources"]}
    assert counts == {"crossref": (4, 2), "clinicaltrials-gov": (4, 2), "pubmed": (1, 1)}
    assert all(f["action"] for s in data["sources"] for f in s["findings"])


def test_nothing_new_is_exit_0_and_a_finding_is_exit_1(root: Path) -> None:
    quiet = [
        {
            "url": "https://api.crossref.org/works/",
            "prefix": True,
            "answers": [{"file": "crossref/no-updates.json"}],
        }
    ]
    nothing = run(root, Replay(quiet), sources=("crossref",))
    assert nothing.report.status == 0
    assert "**Nothing new**" in markdown(nothing.report)
    one: list[dict[str, Any]] = [
        {
            "url": "https://api.crossref.org/works/10.5555/fixture.able-2020",
            "answers": [{"file": "crossref/able-2020.json"}],
        },
        *quiet,
    ]
    found = run(root, Replay(one), sources=("crossref",))
    assert found.report.status == 1


def test_a_network_failure_names_each_source_and_never_reads_as_nothing_new(root: Path) -> None:
    down = [
        {"url": "https://", "prefix": True, "answers": [{"connect_error": True}]},
    ]
    replay = Replay(down)
    outcome = run(root, replay)
    text = markdown(outcome.report)
    assert outcome.report.status == 2
    assert outcome.report.findings == 0
    assert "Nothing new" not in text
    for name in ("Crossref", "ClinicalTrials.gov", "PubMed"):
        assert f"- **{name}" in text
    reasons = [
        f["reason"] for s in json.loads(to_json(outcome.report))["sources"] for f in s["failures"]
    ]
    assert "connection failed (ConnectError), 4 attempts" in reasons
    # a source that is down is asked three times (four attempts each), then no more
    assert replay.count("api.crossref.org") == 3 * 4
    assert "not asked: 3 requests in a row could not be answered" in text


def test_text_from_a_source_is_escaped_in_the_report(root: Path) -> None:
    hostile = {
        "protocolSection": {
            "statusModule": {"overallStatus": "COMPLETED"},
            "referencesModule": {
                "references": [
                    {
                        "pmid": "39000007",
                        "type": "RESULT",
                        "citation": "<script>x</script> [a](javascript:b)",
                    }
                ]
            },
        }
    }
    routes = [
        {
            "url": "https://clinicaltrials.gov/api/v2/studies/NCT90000002",
            "answers": [{"body": json.dumps(hostile)}],
        }
    ]
    text = markdown(run(root, Replay(routes), sources=("clinicaltrials-gov",)).report)
    assert "<script>" not in text and "](javascript" not in text
    assert "&#60;script&#62;" in text


# The polite client


def test_contact_address_and_ncbi_parameters_are_sent(root: Path, tmp_path: Path) -> None:
    replay = Replay()
    cache = Cache(tmp_path / "cache", 3600)
    run(root, replay, sources=("crossref", "pubmed"), cache=cache, ncbi_api_key="secret-key")
    crossref = next(r for r in replay.requests if "api.crossref.org" in str(r.url))
    assert crossref.url.params["mailto"] == "editors@example.org"
    assert "mailto:editors@example.org" in crossref.headers["User-Agent"]
    esearch = next(r for r in replay.requests if "esearch" in str(r.url))
    assert esearch.url.params["tool"] == "studydigest"
    assert esearch.url.params["email"] == "editors@example.org"
    assert esearch.url.params["api_key"] == "secret-key"
    stored = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "cache").iterdir())
    assert "secret-key" not in stored and "editors@example.org" not in stored


def test_cache_makes_a_rerun_cheap_until_it_is_too_old(root: Path, tmp_path: Path) -> None:
    clock = [1_000_000.0]
    cache = Cache(tmp_path / "cache", 3600, now=lambda: clock[0])
    first = Replay()
    run(root, first, sources=("crossref",), cache=cache)
    again = Replay()
    outcome = run(root, again, sources=("crossref",), cache=cache)
    # only the answers that were not good (malformed, timed out, not found) are asked again
    asked = {str(r.url.copy_with(query=None)).rsplit(".", 1)[-1] for r in again.requests}
    assert asked == {"dunn-2019", "hale-2021", "irwin-2021"}
    assert len(outcome.report.sources[0].findings) == 4  # the same findings, from the cache
    clock[0] += 3601
    later = Replay()
    run(root, later, sources=("crossref",), cache=cache)
    assert later.count("fixture.able-2020") == 1


def test_requests_to_one_source_are_spaced(root: Path) -> None:
    slept: list[float] = []
    ticks = iter(range(10_000))
    replay = Replay()
    with PoliteClient(
        transport=replay.transport(), sleep=slept.append, clock=lambda: next(ticks) * 0.01
    ) as client:
        for _ in range(3):
            client.get_json(
                "clinicaltrials-gov", "https://clinicaltrials.gov/api/v2/studies/NCT90000002"
            )
    assert len(slept) == 2 and all(1.2 < s <= 1.25 for s in slept)


def test_a_timeout_is_a_source_error_not_a_traceback() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("recorded", request=request)

    from studydigest.editors.watch.client import SourceError

    with (
        PoliteClient(transport=httpx.MockTransport(handler), sleep=lambda _: None, retries=1) as c,
        pytest.raises(SourceError, match="Crossref: timed out after 20 s, 2 attempts"),
    ):
        c.get_json("crossref", "https://api.crossref.org/works/10.5555/x")


# The last-run file


def test_next_last_run(outcome: Outcome) -> None:
    state = outcome.state
    assert state.attempted == TODAY
    assert state.checked == dt.date(2026, 11, 30)  # not every check succeeded: kept
    assert state.incomplete
    assert state.notices_checked["able-2020"] == TODAY
    assert state.notices_checked["fox-2018"] == TODAY
    assert "dunn-2019" not in state.notices_checked and "hale-2021" not in state.notices_checked
    assert "gone-2019" not in state.notices_checked  # no longer in the corpus
    assert state.trial_status == {"NCT90000001": "COMPLETED", "NCT90000002": "COMPLETED"}


def test_a_complete_run_moves_the_checked_date(root: Path) -> None:
    fine = [
        {
            "url": "https://api.crossref.org/works/",
            "prefix": True,
            "answers": [{"file": "crossref/no-updates.json"}],
        },
        {
            "url": "https://clinicaltrials.gov/api/v2/studies/",
            "prefix": True,
            "answers": [{"file": "clinicaltrials/NCT90000002.json"}],
        },
        {
            "url": "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esearch.fcgi",
            "prefix": True,
            "answers": [{"file": "pubmed/esearch-microdosing.json"}],
        },
    ]
    outcome = run(root, Replay(fine))
    assert outcome.report.failures == 0
    assert outcome.state.checked == TODAY and not outcome.state.incomplete
    assert set(outcome.state.sources.values()) == {TODAY}


def test_a_broken_last_run_file_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "watch").mkdir()
    (tmp_path / "watch" / "last-run.json").write_text('{"checked": "2026-12-07",\n}', "utf-8")
    with pytest.raises(lastcheck.LastCheckError, match=r"^watch/last-run.json:2:1: "):
        lastcheck.read(tmp_path)
    (tmp_path / "watch" / "last-run.json").write_text('{"checked": "yesterday"}', "utf-8")
    with pytest.raises(lastcheck.LastCheckError, match="checked: Input should be a valid date"):
        lastcheck.read(tmp_path)
    assert lastcheck.read(tmp_path / "nowhere") is None


# The command


def test_command_writes_report_json_bibtex_and_last_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_watch_project(tmp_path / "p")
    monkeypatch.setattr(command, "TRANSPORT", Replay().transport())
    monkeypatch.setattr("time.sleep", lambda _: None)
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    code = main(
        [
            "--root",
            str(project),
            "watch",
            "--today",
            "2026-12-07",
            "--contact",
            "editors@example.org",
            "--json",
            "watch/report.json",
            "--max-age-hours",
            "0",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 2
    assert out.startswith("# Literature watch, 2026-12-07")
    assert "9 finding(s), 5 check(s) failed" in err
    assert json.loads((project / "watch" / "report.json").read_text("utf-8"))["status"] == 2
    assert "@article{pmid39000003," in (project / "watch" / "candidates.bib").read_text("utf-8")
    state = lastcheck.read(project)
    assert state is not None and state.attempted == TODAY
    assert not (project / ".watch-cache").exists()


def test_command_with_invalid_records_checks_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "studies" / "able-2020.yaml").write_text("id: able-2020\n", encoding="utf-8")
    monkeypatch.setattr(command, "TRANSPORT", Replay().transport())
    assert main(["--root", str(project), "watch", "--no-state"]) == 2
    out, err = capsys.readouterr()
    assert "nothing was checked" in err
    assert "studies/able-2020.yaml:1:1" in err  # located
    assert "**Could not check everything**" in out and "Nothing new" not in out


# What readers see


def _pages(last: lastcheck.LastCheck | None) -> dict[str, str]:
    from studydigest.site.render import Renderer

    from .conftest import FIXTURE

    return Renderer(valid_corpus(FIXTURE), last_check=last).pages()


def test_home_methodology_and_study_pages_say_when_the_literature_was_checked() -> None:
    last = lastcheck.LastCheck(
        checked=dt.date(2026, 11, 30),
        attempted=dt.date(2026, 11, 30),
        notices_checked={"carter-2022": dt.date(2026, 11, 30)},
    )
    pages = _pages(last)
    for page in ("index.md", "methodology.md"):
        assert "**Last checked against the literature: 2026-11-30.**" in pages[page]
        assert "could not reach every source" not in pages[page]
    assert "last checked against Crossref: 2026-11-30." in pages["studies/carter-2022.md"]
    assert "last checked against Crossref: not yet." in pages["studies/able-2020.md"]


def test_pages_say_when_the_last_check_was_incomplete_or_never_ran() -> None:
    partial = lastcheck.LastCheck(checked=dt.date(2026, 11, 30), attempted=TODAY)
    home = _pages(partial)["index.md"]
    assert "**Last checked against the literature: 2026-11-30.**" in home
    assert "The check on 2026-12-07 could not reach every source" in home
    never = _pages(None)
    assert "**Last checked against the literature: not yet.**" in never["index.md"]
    assert "last checked against Crossref: not yet." in never["studies/carter-2022.md"]


def test_render_reports_a_broken_last_run_file_without_a_traceback(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "watch").mkdir()
    (project / "watch" / "last-run.json").write_text("{", encoding="utf-8")
    code = main(["--root", str(project), "render", "--out", str(tmp_path / "out")])
    assert code == 2
    assert "watch/last-run.json:1:2: Expecting property name" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("status", "open_issue", "calls"),
    [
        ("1", "", ["issue create --title Literature watch --body-file BODY"]),
        (
            "2",
            "42\n",
            [
                "issue edit 42 --body-file BODY",
                "issue comment 42 --body Report of DAY: could not check every source (see "
                "'Could not check'); nothing here means 'nothing new'. The issue text now holds "
                "it; earlier reports are in the edit history.",
            ],
        ),
        ("0", "42\n", ["issue close 42 --comment Nothing new on DAY, and every source answered."]),
        ("0", "", []),
    ],
)
def test_workflow_keeps_one_watch_issue(
    tmp_path: Path, status: str, open_issue: str, calls: list[str]
) -> None:
    import os
    import subprocess

    import yaml

    from .conftest import ROOT

    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "watch.yml").read_text("utf-8"))
    (step,) = [s for s in flow["jobs"]["watch"]["steps"] if "watch-issue.sh" in s.get("run", "")]
    assert flow["jobs"]["watch"]["permissions"] == {"contents": "read", "issues": "write"}
    assert flow["jobs"]["record"]["permissions"] == {"contents": "write"}
    assert not any("studydigest" in s.get("run", "") for s in flow["jobs"]["record"]["steps"])
    (tmp_path / "watch-report.md").write_text("# Literature watch\n")
    gh_env, log = fake_gh(tmp_path, open_issue)
    env = {**os.environ, **gh_env, "STATUS": status}
    script = step["run"].replace(".github/scripts", str(ROOT / ".github" / "scripts"))
    result = subprocess.run(
        ["bash", "-e", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    day = dt.datetime.now(dt.UTC).date().isoformat()
    lines = [
        re.sub(r"--body-file \S+", "--body-file BODY", line)
        for line in log.read_text().splitlines()
    ]
    assert lines[0].startswith("issue list --state open")
    assert lines[1:] == [c.replace("DAY", day) for c in calls]


def test_contact_address_comes_from_the_plugin_options(project: Path) -> None:
    from studydigest.plugins.digest import DigestConfig
    from studydigest.settings import read as read_settings

    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - studydigest\n" in text
    config.write_text(
        text.replace("  - studydigest\n", "  - studydigest:\n      contact: editors@example.org\n"),
        encoding="utf-8",
    )
    assert read_settings(project).contact == "editors@example.org"
    plugin_config = DigestConfig()  # MkDocs accepts the option without a warning
    plugin_config.load_dict({"contact": "editors@example.org"})
    assert plugin_config.validate() == ([], [])


def test_a_retry_after_longer_than_the_limit_gives_up_at_once() -> None:
    from studydigest.editors.watch.client import SourceError

    slept: list[float] = []
    replay = Replay(
        [
            {
                "url": "https://api.crossref.org/works/10.5555/x",
                "answers": [{"status": 429, "headers": {"Retry-After": "3600"}}],
            }
        ]
    )
    with (
        PoliteClient(transport=replay.transport(), sleep=slept.append) as client,
        pytest.raises(SourceError, match="Retry-After asked for 3600 s, longer than 120 s"),
    ):
        client.get_json("crossref", "https://api.crossref.org/works/10.5555/x")
    assert replay.count("10.5555/x") == 1 and slept == []
