#!/usr/bin/env bash
# Post a report as the one transync comment of a pull request, or update it in place.
#
# usage: pr-comment.sh BODY_FILE
# env:   GH_TOKEN (used by gh), GITHUB_REPOSITORY (owner/name), PR_NUMBER
#
# The comment starts with the hidden marker <!-- transync -->; the first comment of the pull
# request that starts with it is edited (PATCH), so a push updates the comment instead of adding one.
set -euo pipefail

MARKER='<!-- transync -->'
body_file=${1:?usage: pr-comment.sh BODY_FILE}
: "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is not set}"
: "${PR_NUMBER:?PR_NUMBER is not set (not a pull request?)}"

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{ printf '%s\n' "$MARKER"; cat "$body_file"; } >"$tmp"

existing=$(gh api --paginate "repos/$GITHUB_REPOSITORY/issues/$PR_NUMBER/comments" \
  --jq ".[] | select(.body | startswith(\"$MARKER\")) | .id" | head -n 1)

if [ -n "$existing" ]; then
  gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$existing" -F "body=@$tmp" --jq .html_url
else
  gh api --method POST "repos/$GITHUB_REPOSITORY/issues/$PR_NUMBER/comments" -F "body=@$tmp" --jq .html_url
fi
