#!/usr/bin/env bash
# The status step of the transync GitHub Action.
#
# env: SITE (site folder), FAIL_ON (states, may be empty: the site's [status] fail_on),
#      CHANGED_FROM (a revision, may be empty), COMMENT_FILE (where the PR comment body goes)
# Writes the comment body (--format markdown), then reports with --format github: annotations,
# the step summary ($GITHUB_STEP_SUMMARY) and the exit code of --fail-on, which this script returns.
set -uo pipefail

args=(--root "${SITE:-.}")
if [ -n "${CHANGED_FROM:-}" ]; then
  args+=(--changed-from "$CHANGED_FROM")
fi

transync status "${args[@]}" --format markdown --fail-on none >"${COMMENT_FILE:?COMMENT_FILE is not set}"
code=$?
if [ "$code" -ne 0 ]; then
  exit "$code"
fi

fail=()
if [ -n "${FAIL_ON:-}" ]; then
  fail=(--fail-on "$FAIL_ON")
fi
transync status "${args[@]}" --format github "${fail[@]}"
