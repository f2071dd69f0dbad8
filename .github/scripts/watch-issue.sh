#!/usr/bin/env bash
# Keep one open issue holding the latest literature watch report: open it when a run finds
# something to review or cannot check a source, replace its text with each new report, close
# it when a run finds nothing new and every source answered. Never opens a second issue.
# Usage: watch-issue.sh REPORT_FILE STATUS   (studydigest watch's exit status 0, 1 or 2; needs gh)
set -euo pipefail
report=${1:?usage: watch-issue.sh REPORT_FILE STATUS}
status=${2:?usage: watch-issue.sh REPORT_FILE STATUS}
title="Literature watch"
today=$(date -u +%Y-%m-%d)
# GitHub refuses issue bodies over 65,536 characters; the full report is in the run's artifact.
body=$(mktemp)
if [ "$(wc -c < "$report")" -gt 60000 ]; then
  head -c 60000 "$report" > "$body"
  printf '\n\n*Report cut short: the whole report is in the run artifact "literature-watch".*\n' >> "$body"
else
  cp "$report" "$body"
fi

number=$(gh issue list --state open --limit 100 --search "\"$title\" in:title" \
  --json number,title --jq ".[] | select(.title == \"$title\") | .number" | head -n 1)

case "$status" in
  1 | 2)
    if [ "$status" = 2 ]; then
      what="could not check every source (see 'Could not check'); nothing here means 'nothing new'"
    else
      what="something to review"
    fi
    if [ -n "$number" ]; then
      gh issue edit "$number" --body-file "$body"
      gh issue comment "$number" --body "Report of $today: $what. The issue text now holds it; earlier reports are in the edit history."
    else
      gh issue create --title "$title" --body-file "$body"
    fi
    ;;
  0)
    if [ -n "$number" ]; then
      gh issue close "$number" --comment "Nothing new on $today, and every source answered."
    fi
    ;;
  *)
    echo "watch-issue.sh: status must be 0, 1 or 2, not '$status'" >&2
    exit 2
    ;;
esac
