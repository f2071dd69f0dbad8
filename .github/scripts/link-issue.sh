#!/usr/bin/env bash
# Keep one open issue about broken study links: update it while links stay broken, close it
# when every link answers again. Never opens a second issue.
# Usage: link-issue.sh REPORT_FILE success|failure   (the link check's outcome; needs gh)
set -euo pipefail
report=${1:?usage: link-issue.sh REPORT_FILE success|failure}
outcome=${2:?usage: link-issue.sh REPORT_FILE success|failure}
title="Broken study links"
today=$(date -u +%Y-%m-%d)

number=$(gh issue list --state open --limit 100 --search "\"$title\" in:title" \
  --json number,title --jq ".[] | select(.title == \"$title\") | .number" | head -n 1)

case "$outcome" in
  failure)
    if [ -n "$number" ]; then
      gh issue edit "$number" --body-file "$report"
      gh issue comment "$number" --body "Still broken on $today; the issue text now holds this week's report."
    else
      gh issue create --title "$title" --body-file "$report"
    fi
    ;;
  success)
    if [ -n "$number" ]; then
      gh issue close "$number" --comment "Every link answered on $today."
    fi
    ;;
  *)
    echo "link-issue.sh: outcome must be success or failure, not '$outcome'" >&2
    exit 2
    ;;
esac
