# pvstored's wire protocol, standalone (no pvhv, no guest): every message
# type, malformed headers, oversize and truncated messages, bad paths,
# watches, transactions, quotas over the real socket; guests' rights,
# quotas and ring abuse through test rings; Debian's xenstore-utils; 512
# idle clients; one daemon per directory; a clean stop.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/xslib.sh"

"$PVSTORED" --rundir "$XSDIR" --daemon --test-rings "$T/rings" ||
	die "pvstored did not start"
wait_until 10 xs_answers || die "pvstored does not answer"
python3 "$XSPROTO" socket "$XENSTORED_PATH" || die "socket protocol"
python3 "$XSPROTO" rings "$XENSTORED_PATH" "$T/rings" || die "rings"
python3 "$XSPROTO" scale "$XENSTORED_PATH" || die "scale"

say "Debian's xenstore-utils"
xenstore-write /deb/a 1 /deb/b 2 || die "xenstore-write"
[ "$(xenstore-read /deb/a)" = 1 ] || die "xenstore-read"
[ "$(xenstore-list /deb | tr '\n' ' ')" = "a b " ] || die "xenstore-list"
xenstore-exists /deb/b || die "xenstore-exists"
xenstore-exists /deb/c && die "xenstore-exists of nothing"
xenstore-chmod /deb/a n0 r5 || die "xenstore-chmod"
xenstore-ls -p /deb | grep -q '(n0,r5)' || die "xenstore-ls -p"
xenstore-read /nonexistent 2>/dev/null && die "read of nothing succeeded"
timeout 10 xenstore-watch -n 2 /deb >watch.out &
wpid=$!
wait_until 5 grep -q /deb watch.out || die "no initial watch event"
xenstore-write /deb/c 3
wait $wpid || die "xenstore-watch"
[ "$(sed -n 2p watch.out)" = /deb/c ] || die "watch event: $(cat watch.out)"
xenstore-rm /deb || die "xenstore-rm"
xenstore-exists /deb && die "not removed"
env -u XENSTORED_PATH XENSTORED_RUNDIR="$XSDIR" xenstore-ls / | grep -q tool ||
	die "XENSTORED_RUNDIR does not reach pvstored"


say "one pvstored per directory"
"$PVSTORED" --rundir "$XSDIR" --foreground 2>second.err &&
	die "a second pvstored started"
grep -q "already running" second.err || die "unclear: $(cat second.err)"
xs_answers || die "the first one died"

say "clean stop"
p=$(pvstored_pid)
stop_pvstored || die "pvstored did not stop"
[ ! -e "$XENSTORED_PATH" ] || die "socket left behind"
grep -q "error" "$XSDIR/pvstored.log" && die "errors logged"
true
