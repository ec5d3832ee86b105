#!/usr/bin/env bash
# wait-console.sh LOG REGEX SECONDS: wait until a line of LOG (a guest's serial console,
# written by virtlogd) matches REGEX; exit 0 then, 1 after SECONDS without it.
#
# tail -F follows the file by inotify, so this wakes on each write and not on a timer.
# The tail is killed once grep is done: a console that prints nothing more after the
# match (a login prompt) must not keep it, or this script, alive.
set -u
log=$1 regex=$2 seconds=$3
exec 3< <(exec timeout "$seconds" tail -n +1 -F "$log" 2>/dev/null)
follower=$!
grep -m1 -q -E "$regex" <&3
rc=$?
kill "$follower" 2>/dev/null
exit "$rc"
