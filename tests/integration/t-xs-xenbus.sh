# A guest uses xenstore through its ring (pvmini's xenbus client): every
# operation, and a watch that fires when dom0 writes with Debian's
# xenstore-write. pvstored, as the toolstack's xenstore half, writes the
# domain's nodes as libxl does, introduces it, and on its death removes
# them and fires @releaseDomain.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/xslib.sh"

"$PVCTL" list >/dev/null # starts pvhv
start_pvstored
mkcfg x.cfg xb xenbus
"$PVCTL" create -p x.cfg
id=$(domid_of xb)
[ -n "$id" ] || die "no domain"
wait_until 10 xenstore-exists "/local/domain/$id/domid" ||
	die "domain not introduced"
[ "$(python3 "$XSPROTO" call "$XENSTORED_PATH" IDI "$id")" = T ] ||
	die "not introduced"

say "the toolstack's nodes"
d=/local/domain/$id
[ "$(xenstore-read $d/name)" = xb ] || die "name"
[ "$(xenstore-read $d/domid)" = "$id" ] || die "domid"
[ "$(xenstore-read $d/memory/static-max)" = 32768 ] || die "static-max"
xenstore-read $d/store/port | grep -qx '[0-9]*' || die "store/port"
xenstore-read $d/console/ring-ref | grep -qx '[0-9]*' || die "console"
vm=$(xenstore-read $d/vm)
[ "$(xenstore-read "$vm/name")" = xb ] || die "$vm/name"
xenstore-ls -p $d | grep -q "^data = \"\"  .*(n$id)" || die "data perms"
[ "$(xenstore-ls -p /local/domain | sed -n "s/^$id = \"\" .*(\(.*\))/\1/p")" = \
	"n0,r$id" ] || die "home perms"

timeout 10 xenstore-watch -n 2 @releaseDomain >release.out &
rpid=$!
timeout 120 "$PVCTL" console xb >x.cfg.out 2>&1 &
cpid=$!
"$PVCTL" unpause xb
wait_until 60 grep -q "^XENBUS-WATCH-READY" x.cfg.out ||
	die "guest not ready: $(cat x.cfg.out)"
xenstore-write "$d/data/watched" from-dom0
wait $cpid || true
expect_pass x.cfg.out xenbus
grep "^BENCH xenbus_read" x.cfg.out || true

say "released with the domain"
wait $rpid || die "no @releaseDomain event"
wait_until 10 sh -c "! xenstore-exists $d" || die "$d left behind"
xenstore-exists "$vm" && die "$vm left behind"
[ "$(python3 "$XSPROTO" call "$XENSTORED_PATH" IDI "$id")" = F ] ||
	die "still introduced"

say "XS_RELEASE and XS_INTRODUCE from a dom0 client"
mkcfg y.cfg yb xenbus
"$PVCTL" create -p y.cfg
id=$(domid_of yb)
d=/local/domain/$id
wait_until 10 xenstore-exists "$d/domid" || die "not introduced"
gfn=$(xenstore-read $d/store/ring-ref)
port=$(xenstore-read $d/store/port)
call() { python3 "$XSPROTO" call "$XENSTORED_PATH" "$@"; }
[ "$(call RELEASE "$id")" = OK ] || die "RELEASE"
[ "$(call IDI "$id")" = F ] || die "released but introduced"
xenstore-exists $d/data && die "the domain's own nodes survived RELEASE"
[ "$(call INTRODUCE "$id" "$gfn" "$port")" = OK ] || die "INTRODUCE"
[ "$(call IDI "$id")" = T ] || die "not introduced again"
# Rights granted to the old domain id are stale now (Xen, XSA-322): a
# toolstack grants them again.
for n in $d $d/domid $d/name; do xenstore-chmod $n n0 r$id; done
xenstore-write $d/data ""
xenstore-chmod $d/data n$id
timeout 120 "$PVCTL" console yb >y.cfg.out 2>&1 &
cpid=$!
"$PVCTL" unpause yb
wait_until 60 grep -q "^XENBUS-WATCH-READY" y.cfg.out ||
	die "guest not ready: $(cat y.cfg.out)"
xenstore-write "$d/data/watched" from-dom0
wait $cpid || true
expect_pass y.cfg.out xenbus
pvhv_alive || die "pvhv died"

