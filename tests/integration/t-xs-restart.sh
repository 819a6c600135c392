# pvstored killed (SIGKILL) under traffic and restarted keeps its state:
#  1. test rings (no guest): a guest ring and a dom0 client write while
#     pvstored is killed three times; nothing acknowledged is lost, the
#     guest's watch survives;
#  2. a real guest (pvmini xenbus-restart) keeps reading, writing and
#     committing transactions while pvstored is killed twice and its
#     ring re-attached; a dom0 node and its permissions survive; the
#     guest's watch still fires afterwards.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/xslib.sh"

say "test rings"
python3 "$XSPROTO" restart "$PVSTORED" "$T/xsr" "$T/rings" || {
	tail -20 "$T/xsr/pvstored.log"
	die "restart with test rings"
}


say "a real guest"
"$PVCTL" list >/dev/null
start_pvstored
xenstore-write /keep/me 42 || die "write"
xenstore-chmod /keep/me n0 r1 || die "chmod"
mkcfg r.cfg rs xenbus-restart 'cmdline = "test=xenbus-restart rounds=250"'
"$PVCTL" create -p r.cfg
wait_until 10 xenstore-exists /local/domain/1/domid || die "not introduced"
timeout 150 "$PVCTL" console rs >r.cfg.out 2>&1 &
cpid=$!
"$PVCTL" unpause rs
kill_restart() {
	p=$(pvstored_pid)
	kill -KILL "$p"
	while kill -0 "$p" 2>/dev/null; do sleep 0.01; done
	xenstore-write /during/kill x 2>/dev/null &
	wpid=$!
	start_pvstored
	wait $wpid || true

}
wait_until 60 grep -q "^XENBUS-ROUND 50" r.cfg.out || die "$(cat r.cfg.out)"
kill_restart
wait_until 60 grep -q "^XENBUS-ROUND 150" r.cfg.out || die "$(cat r.cfg.out)"
kill_restart
wait_until 60 grep -q "^XENBUS-ROUNDS-DONE" r.cfg.out ||
	die "guest stuck after restarts: $(tail -5 r.cfg.out)"
grep "^XENBUS-ROUNDS-DONE" r.cfg.out
[ "$(xenstore-read /keep/me)" = 42 ] || die "dom0 node lost"
xenstore-ls -p /keep | grep -q '(n0,r1)' || die "permissions lost"
[ "$(xenstore-read /local/domain/1/data/r6/249)" = 249 ] ||
	die "guest's nodes lost"
xenstore-write /local/domain/1/data/final 1
wait $cpid || true
expect_pass r.cfg.out xenbus-restart
[ "$(grep -c "re-attached" "$XSDIR/pvstored.log")" = 2 ] ||
	die "ring not re-attached twice"
pvhv_alive || die "pvhv died"
