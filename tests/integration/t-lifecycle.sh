# Life cycle through pvctl: create paused, list, unpause, console, pause,
# destroy; on_reboot=restart restarts (and a restart storm is stopped).
. "$(dirname "$0")/lib.sh"

mkcfg s.cfg spinner spin
"$PVCTL" create -p s.cfg
"$PVCTL" list | grep -q "^spinner .* paused" || die "not listed paused"
"$PVCTL" info spinner | grep -q '"state": "paused"' || die "info: not paused"
"$PVCTL" unpause spinner
timeout 10 "$PVCTL" console spinner >c.out 2>&1 &
cpid=$!
wait_until 10 grep -q "alive 3" c.out || die "console shows no progress"
"$PVCTL" pause spinner
"$PVCTL" list | grep -q "^spinner .* paused" || die "pause did not pause"
n1=$(grep -c alive c.out)
sleep 0.3
n2=$(grep -c alive c.out)
[ "$n1" = "$n2" ] || die "paused domain kept printing ($n1 -> $n2)"
"$PVCTL" unpause spinner
"$PVCTL" destroy spinner
wait $cpid || true
grep -q "was destroyed" c.out || die "console did not see the destroy"
no_domains || die "spinner still listed"
if "$PVCTL" destroy spinner 2>e.out; then die "destroying a missing domain succeeded"; fi
grep -q "no such domain" e.out || die "unclear error: $(cat e.out)"

# Restart: a guest that reboots is rebuilt under a new id with the same
# name; ten quick reboots in a row end it.
mkcfg r.cfg rebooter reboot "on_reboot = \"restart\""
"$PVCTL" create r.cfg
wait_until 60 no_domains || die "restart storm was not stopped"
n=$(grep -c "(rebooter) shut down (reboot): restart" "$PVHV_RUNDIR/pvhv.log")
[ "$n" -ge 9 ] || die "only $n restarts"
grep -q "restarted 10 times in quick succession" "$PVHV_RUNDIR/pvhv.log" ||
	die "storm not reported"

# Names are unique.
"$PVCTL" create -p s.cfg
if "$PVCTL" create -p s.cfg 2>e.out; then die "duplicate name accepted"; fi
grep -q 'already exists' e.out || die "unclear error: $(cat e.out)"
"$PVCTL" destroy spinner
pvhv_alive || die "pvhv died"
