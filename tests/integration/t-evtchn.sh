# Event channels and grant tables between two domains, with dom0, and
# under abuse: a ping-pong over an interdomain channel; grants copied
# both ways, read-only, revoked, refused to a third party; a page granted
# to dom0 mapped and copied by a dom0 process; dom0's VIRQ_DOM_EXC; a
# hostile domain beside all that.
. "$(dirname "$0")/lib.sh"
PVTEST="$BUILD/tests/tools/pvtest"

# Domain ids in a fresh pvhv are 1, 2, 3...: A=1 serves, B=2 binds.
mkcfg a.cfg alpha evtchn,gnttab "cmdline = \"test=evtchn,gnttab peer=2 role=server rounds=30\""
mkcfg b.cfg beta evtchn,gnttab "cmdline = \"test=evtchn,gnttab peer=1 role=client rounds=30\""
"$PVCTL" create -p a.cfg
"$PVCTL" create -p b.cfg
[ "$("$PVCTL" list | awk '$1 == "alpha" { print $2 }')" = 1 ] || die "alpha is not domain 1"
"$PVTEST" virq-dom-exc >virq.out 2>&1 &
vpid=$!
wait_until 10 grep -q bound virq.out || die "VIRQ_DOM_EXC not bound"
timeout 60 "$PVCTL" console alpha >a.cfg.out 2>&1 &
apid=$!
timeout 60 "$PVCTL" console beta >b.cfg.out 2>&1 &
bpid=$!
"$PVCTL" unpause alpha
"$PVCTL" unpause beta
wait $apid || true
wait $bpid || true
expect_pass a.cfg.out evtchn gnttab
expect_pass b.cfg.out evtchn gnttab
grep -q "^BENCH evtchn_pingpong rounds=30" b.cfg.out || die "no ping-pong timing"
wait $vpid || die "VIRQ_DOM_EXC did not fire when a domain shut down"

# dom0 and a guest: ping-pong, then a granted page, beside a hostile one.
mkcfg h.cfg hostile2 hostile-evtchn,hostile-gnttab,hostile,hostile-evtchn
mkcfg c.cfg gamma evtchn-dom0,gnttab "cmdline = \"test=evtchn-dom0,gnttab role=dom0 rounds=50\""
boot h.cfg >/dev/null &
hpid=$!
"$PVCTL" create c.cfg
cid=$("$PVCTL" list | awk '$1 == "gamma" { print $2 }')
timeout 60 "$PVCTL" console gamma >c.cfg.out 2>&1 &
cpid=$!
wait_until 20 grep -q "^EVTCHN-DOM0 port=" c.cfg.out || die "guest gave no port"
port=$(sed -n 's/^EVTCHN-DOM0 port=\([0-9]*\).*/\1/p' c.cfg.out)
"$PVTEST" evtchn-pingpong "$cid" "$port" 50 | tee pp.out
grep -q "^BENCH evtchn_dom0 rounds=50" pp.out || die "dom0 ping-pong failed"
wait_until 20 grep -q "^GNTTAB-DOM0 port=" c.cfg.out || die "no dom0 grant"
"$PVTEST" magic "$cid" || die "magic page maps"
port=$(sed -n 's/^GNTTAB-DOM0 port=\([0-9]*\) ref=\([0-9]*\).*/\1/p' c.cfg.out)
ref=$(sed -n 's/^GNTTAB-DOM0 port=\([0-9]*\) ref=\([0-9]*\).*/\2/p' c.cfg.out)
"$PVTEST" gnttab-dom0 "$cid" "$port" "$ref" || die "dom0 grant use"
wait $cpid || true
expect_pass c.cfg.out evtchn-dom0 gnttab
wait $hpid
expect_pass h.cfg.out hostile-evtchn hostile-gnttab hostile
pvhv_alive || die "pvhv died"
