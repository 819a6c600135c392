# The control socket under abuse: malformed packets, bad JSON, unknown
# operations, missing fds, a client from another uid. pvhv answers with
# errors and keeps serving.
. "$(dirname "$0")/lib.sh"

mkcfg p.cfg proto hello
boot p.cfg >/dev/null # starts pvhv
pvhv_alive || die "pvhv not running"
python3 "$TOP/tests/integration/protocol.py" "$PVHV_RUNDIR/pvhv.sock" ||
	die "protocol checks failed"
pvhv_alive || die "pvhv died"
boot p.cfg >/dev/null
expect_pass p.cfg.out hello

# Only root or pvhv's own user may connect.
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	chmod 755 "$T" "$PVHV_RUNDIR"
	if setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$PVCTL" list >n.out 2>&1; then
		die "uid 65534 could use the control socket"
	fi
	grep -qi "permission denied" n.out || die "unclear refusal: $(cat n.out)"
fi

# A second pvhv on the same runtime directory refuses to start.
if "$PVHV" --rundir "$PVHV_RUNDIR" --foreground 2>s.err; then
	die "second pvhv started"
fi
grep -q "another pvhv serves" s.err || die "unclear: $(cat s.err)"
pvhv_alive || die "first pvhv died"
