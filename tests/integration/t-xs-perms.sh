# Two guests and xenstore's permissions and quotas: neither can see or
# touch the other's nodes (or dom0's); one exhausts its node, watch and
# transaction quotas (ENOSPC, E2BIG, ENOSPC) and only it is refused: the
# other keeps writing afterwards.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/xslib.sh"

"$PVCTL" list >/dev/null
start_pvstored
# Domain ids in a fresh pvhv are 1, 2...: noisy=1, victim=2.
mkcfg n.cfg noisy xenbus-perms 'cmdline = "test=xenbus-perms peer=2 role=noisy"'
mkcfg v.cfg victim xenbus-perms 'cmdline = "test=xenbus-perms peer=1 role=victim"'
"$PVCTL" create -p n.cfg
"$PVCTL" create -p v.cfg
[ "$(domid_of noisy)" = 1 ] && [ "$(domid_of victim)" = 2 ] ||
	die "unexpected domain ids"
wait_until 10 xenstore-exists /local/domain/2/domid ||
	die "domains not introduced"
# A small node quota for the noisy one keeps the test quick.
python3 "$XSPROTO" call "$XENSTORED_PATH" SET_QUOTA 1 nodes 40 >/dev/null ||
	die "SET_QUOTA"
[ "$(python3 "$XSPROTO" call "$XENSTORED_PATH" GET_QUOTA 1 nodes)" = 40 ] ||
	die "GET_QUOTA"
timeout 120 "$PVCTL" console noisy >n.cfg.out 2>&1 &
npid=$!
timeout 120 "$PVCTL" console victim >v.cfg.out 2>&1 &
vpid=$!
"$PVCTL" unpause noisy
"$PVCTL" unpause victim
wait_until 60 grep -q "^XENBUS-QUOTAS-DONE" n.cfg.out ||
	die "noisy: $(cat n.cfg.out)"
wait_until 60 grep -q "^XENBUS-PERMS-READY" v.cfg.out ||
	die "victim: $(cat v.cfg.out)"
xenstore-write /local/domain/2/data/go 1
wait $npid || true
wait $vpid || true
expect_pass n.cfg.out xenbus-perms
expect_pass v.cfg.out xenbus-perms
grep "^XENBUS-QUOTA-HIT" n.cfg.out
xenstore-write /after/quota ok || die "dom0 refused after a guest's quota"

pvhv_alive || die "pvhv died"
