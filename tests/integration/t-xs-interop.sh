# xenstore interop: Debian's xenstore-utils (xenstore-ls, -read, -write,
# -rm, -list, -exists, -watch, -chmod) and our pvstore, pvctl xenstore-*
# and libpvstore against pvstored, as started by pvctl in the runtime
# directory ($PVHV_RUNDIR/xenstored/socket); then the daemon is killed and
# restarted under a libpvstore client (reconnection, watches, lost
# transactions). While pvstored is not built, the same test runs against
# Debian's C xenstored (ref-xenstored.sh), so the clients are checked
# against the reference; XS_INTEROP_DAEMON=ref forces that.
. "$(dirname "$0")/lib.sh"

PVSTORE="$BUILD/bin/pvstore"
XSCLIENT="$BUILD/tests/tools/xsclient"
for t in xenstore-ls xenstore-read xenstore-write xenstore-rm xenstore-list \
	xenstore-exists xenstore-watch xenstore-chmod; do
	command -v $t >/dev/null || die "$t missing (xenstore-utils; run setup.sh)"
done

# ------------------------------------------------------------ the daemon
if [ -x "$BUILD/bin/pvstored" ] && [ "${XS_INTEROP_DAEMON:-pvstored}" = pvstored ]; then
	DAEMON=pvstored
	SOCK="$PVHV_RUNDIR/xenstored/socket"
	# As an operator gets it: pvctl starts pvhv and pvstored.
	start_daemon() { env -u XENSTORED_PATH "$PVCTL" xenstore-ls / >/dev/null; }
	daemon_pid() {
		cat "$PVHV_RUNDIR/xenstored/pvstored.pid" 2>/dev/null ||
			pgrep -f -- "--rundir $PVHV_RUNDIR/xenstored" | head -n 1
	}
else
	DAEMON="Debian's C xenstored (reference)"
	common=$(cd "$TOP" && git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
	REF=""
	for d in ${XENSTORE_REF_DIR:-} "$TOP/../shared/tools/xenstore-ref" \
		${common:+"$(dirname "$common")/../shared/tools/xenstore-ref"}; do
		[ -x "$d/ref-xenstored.sh" ] && { REF=$d; break; }
	done
	if [ -z "$REF" ]; then
		echo "SKIP: pvstored not built and no ref-xenstored.sh (XENSTORE_REF_DIR): NOTHING TESTED"
		exit 0
	fi
	# Its downloads are kept across runs; the daemon is ours alone.
	REFDIR="$BUILD/integration/xenstore-ref"
	SOCK="$REFDIR/socket"
	start_daemon() {
		mkdir -p "$REFDIR"
		rm -f "$SOCK" "$REFDIR/pid"
		sh "$REF/ref-xenstored.sh" "$REFDIR" || die "reference xenstored did not start"
	}
	daemon_pid() { cat "$REFDIR/pid" 2>/dev/null; }
fi
# stop_pid PID: SIGTERM, then SIGKILL after 5 s.
stop_pid() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null || return 0
	for _ in $(seq 100); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	echo "pid $1 did not exit on SIGTERM" >&2
	kill -KILL "$1" 2>/dev/null || true
}
stop_daemon() { stop_pid "$(daemon_pid)"; }
xs_cleanup() {
	rc=$?
	stop_pid "$(cat "$T/lonely/pvstored.pid" 2>/dev/null)"
	stop_daemon
	(exit $rc)
	cleanup
}
trap xs_cleanup EXIT INT TERM

say "daemon: $DAEMON"
start_daemon
[ -S "$SOCK" ] || die "no socket at $SOCK"
export XENSTORED_PATH="$SOCK"

# ------------------------------------------------ Debian's tools alone
say "xenstore-utils"
xenstore-write /interop/a 1 /interop/b "two words"
[ "$(xenstore-read /interop/a)" = 1 ] || die "xenstore-read a"
[ "$(xenstore-read /interop/b)" = "two words" ] || die "xenstore-read b"
xenstore-exists /interop/a || die "xenstore-exists a"
if xenstore-exists /interop/nope 2>/dev/null; then die "xenstore-exists nope"; fi
[ "$(xenstore-list /interop | sort | tr '\n' ' ')" = "a b " ] || die "xenstore-list"
xenstore-rm /interop/a
if xenstore-exists /interop/a 2>/dev/null; then die "xenstore-rm"; fi
xenstore-chmod /interop/b n0 r1
xenstore-ls -p /interop | grep -q '^b = "two words".*(n0,r1)$' || die "xenstore-chmod: $(xenstore-ls -p /interop)"
: >w.out
xenstore-watch -n 2 /interop/w >w.out &
wpid=$!
wait_until 10 grep -qx /interop/w w.out || die "xenstore-watch: no initial event"
xenstore-write /interop/w/x 1
wait $wpid || die "xenstore-watch failed"
grep -qx /interop/w/x w.out || die "xenstore-watch: $(cat w.out)"

# ----------------------------------------- pvstore and Debian's tools
say "pvstore <-> xenstore-utils"
"$PVSTORE" write /interop/c/d x /interop/c/e "y z" /interop/c/f ""
[ "$(xenstore-read /interop/c/e)" = "y z" ] || die "pvstore write -> xenstore-read"
xenstore-write /interop/g 'a\tb\001\x7fc'
[ "$("$PVSTORE" read /interop/g)" = "$(xenstore-read /interop/g)" ] || die "escaped read"
"$PVSTORE" read --raw /interop/g | od -c >p.od
xenstore-read -R /interop/g | head -c 6 | od -c >x.od
cmp -s p.od x.od || die "raw read: $(cat p.od) vs $(cat x.od)"
"$PVSTORE" write -e /interop/h 'q\001r\\s'
[ "$(xenstore-read /interop/h)" = 'q\001r\\s' ] || die "write -e: $(xenstore-read /interop/h)"
for f in "" "-f" "-p" "-f -p"; do
	# shellcheck disable=SC2086
	xenstore-ls $f /interop >x.ls
	# shellcheck disable=SC2086
	"$PVSTORE" ls -R $f /interop >p.ls
	cmp -s x.ls p.ls || die "pvstore ls -R $f differs from xenstore-ls: $(diff x.ls p.ls)"
	# shellcheck disable=SC2086
	"$PVCTL" xenstore-ls $f /interop >c.ls
	cmp -s x.ls c.ls || die "pvctl xenstore-ls $f differs: $(diff x.ls c.ls)"
done
[ "$("$PVCTL" xenstore-read /interop/c/e)" = "y z" ] || die "pvctl xenstore-read"
"$PVCTL" xenstore-write /interop/i 5
[ "$(xenstore-read /interop/i)" = 5 ] || die "pvctl xenstore-write"
"$PVCTL" xenstore-rm /interop/i
if xenstore-exists /interop/i 2>/dev/null; then die "pvctl xenstore-rm"; fi
"$PVSTORE" ls /interop | grep -q '^c = ""$' || die "pvstore ls"
if "$PVSTORE" ls /interop | grep -q '^ d'; then die "pvstore ls went below one level"; fi
[ "$("$PVSTORE" list /interop/c | tr '\n' ' ')" = "$(xenstore-list /interop/c | tr '\n' ' ')" ] ||
	die "pvstore list"
"$PVSTORE" list -R /interop/c | grep -qx /interop/c/e || die "pvstore list -R"
"$PVSTORE" --json ls -R -p /interop | python3 -c '
import json, sys
t = json.load(sys.stdin)["/interop"]
assert t["children"]["c"]["children"]["e"]["value"] == "y z", t
assert t["children"]["b"]["perms"] == ["n0", "r1"], t
assert t["children"]["g"]["value"] == "a\tb\x01\x7fc", t
' || die "pvstore --json ls"
"$PVSTORE" read --json /interop/c/e | python3 -c '
import json, sys; assert json.load(sys.stdin) == {"/interop/c/e": "y z"}' ||
	die "pvstore --json read"

# Permissions both ways.
"$PVSTORE" chmod -R /interop/c b0 r2
xenstore-ls -p /interop/c | grep -q '^e = "y z".*(b0,r2)$' || die "pvstore chmod -R: $(xenstore-ls -p /interop/c)"
xenstore-chmod /interop/c/d n0 w3
[ "$("$PVSTORE" getperms /interop/c/d)" = "n0 w3" ] || die "pvstore getperms"
"$PVSTORE" getperms -R /interop/c | grep -qx '/interop/c/e: b0 r2' || die "pvstore getperms -R"

# Watches both ways.
: >pw.out
"$PVSTORE" watch -n 2 /interop/pw >pw.out &
wpid=$!
wait_until 10 grep -qx /interop/pw pw.out || die "pvstore watch: no initial event"
xenstore-write /interop/pw/y 1
wait $wpid || die "pvstore watch failed"
grep -qx /interop/pw/y pw.out || die "pvstore watch: $(cat pw.out)"

# Exit statuses.
st() { set +e; "$@" >/dev/null 2>&1; echo $?; set -e; }
[ "$(st "$PVSTORE" read /interop/nope)" = 1 ] || die "read of a missing node: not 1"
[ "$(st "$PVSTORE" exists /interop/nope)" = 1 ] || die "exists: not 1"
[ "$(st "$PVSTORE" exists /interop/b /interop/c)" = 0 ] || die "exists: not 0"
[ "$(st "$PVSTORE" frob)" = 2 ] || die "unknown command: not 2"
[ "$(st "$PVSTORE" write /interop/odd)" = 2 ] || die "write without value: not 2"
[ "$(st "$PVSTORE" chmod /interop/b q1)" = 2 ] || die "bad permission: not 2"
[ "$(st env XENSTORED_PATH="$T/none" "$PVSTORE" ls /)" = 3 ] || die "no daemon: not 3"
"$PVSTORE" read /interop/nope 2>e.out || true
grep -q "No such file or directory" e.out || die "unclear error: $(cat e.out)"

# A directory longer than one message (XS_DIRECTORY_PART).
say "large directory"
args=""
for i in $(seq 0 299); do args="$args /interop/big/c$i v"; done
# shellcheck disable=SC2086
"$PVSTORE" write $args
"$XSCLIENT" directory /interop/big 300 || die "xsclient directory"
[ "$(xenstore-list /interop/big | wc -l)" = 300 ] || die "xenstore-list big"
[ "$("$PVSTORE" list /interop/big | wc -l)" = 300 ] || die "pvstore list big"

# --------------------------------------- pvctl create and xenstore
say "pvctl create waits for xenstore"
mkcfg spin.cfg spinner spin
if [ "$DAEMON" = pvstored ]; then
	# Built paused, introduced by pvstored, then left paused (-p) or run.
	"$PVCTL" create -p spin.cfg 2>create.err || die "create -p: $(cat create.err)"
	id=$("$PVCTL" list | awk '$1 == "spinner" { print $2 }')
	[ -n "$id" ] || die "spinner not listed"
	"$PVCTL" list | grep -q "^spinner .* paused" || die "create -p did not leave it paused"
	[ "$("$PVSTORE" read /local/domain/$id/name)" = spinner ] || die "no /local/domain/$id/name"
	[ "$("$PVSTORE" read /local/domain/$id/domid)" = "$id" ] || die "no /local/domain/$id/domid"
	"$PVCTL" destroy spinner
	"$PVCTL" create spin.cfg 2>create.err || die "create: $(cat create.err)"
	"$PVCTL" list | grep -q "^spinner .* running" || die "create did not run it: $("$PVCTL" list)"
	"$PVCTL" destroy spinner
	# A store that never introduces the domain: pvstored without pvhv.
	"$BUILD/bin/pvstored" --rundir "$T/lonely" --no-pvhv --daemon ||
		die "pvstored --no-pvhv did not start"
	LONELY="$T/lonely/socket"
else
	LONELY="$SOCK" # the reference knows nothing of pvhv's domains
fi
set +e
XENSTORED_PATH="$LONELY" PVCTL_XENSTORE_TIMEOUT=1 "$PVCTL" create spin.cfg 2>create.err
rc=$?
set -e
stop_pid "$(cat "$T/lonely/pvstored.pid" 2>/dev/null)"
[ $rc = 1 ] || die "create without introduction: exit $rc, not 1: $(cat create.err)"
grep -q "did not introduce domain .* within 1 s" create.err || die "unclear error: $(cat create.err)"
grep -q "destroying domain" create.err || die "not destroyed: $(cat create.err)"
no_domains || die "the domain was left behind: $("$PVCTL" list)"

# ------------------------------------------- the daemon restarts
say "restart under a client"
mkdir sync
"$XSCLIENT" restart "$T/sync" >r.out 2>&1 &
cpid=$!
wait_until 20 test -e sync/ready || die "xsclient not ready: $(cat r.out)"
stop_daemon
start_daemon
touch sync/restarted
wait_until 30 test -e sync/watching || die "xsclient did not come back: $(cat r.out)"
xenstore-write /interop/restart/x 1
touch sync/written
wait $cpid || die "after the restart: $(cat r.out)"
cat r.out
grep -q FAIL r.out && die "$(grep FAIL r.out)"
say "ok ($DAEMON)"
