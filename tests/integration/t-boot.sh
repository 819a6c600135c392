# A pvmini domain boots, passes hello/version/time and powers off; pvctl
# create -c returns 0 and pvhv (started by pvctl) destroys the domain.
. "$(dirname "$0")/lib.sh"

mkcfg a.cfg hello hello,version,time,cpuid,legacy-io "on_poweroff = \"destroy\""
[ ! -e "$PVHV_RUNDIR/pvhv.sock" ] || die "pvhv already running"
boot a.cfg
[ "$(cat a.cfg.rc)" = 0 ] || die "pvctl create -c exited $(cat a.cfg.rc)"
expect_pass a.cfg.out hello version time cpuid legacy-io
grep -q "hello from pvmini" a.cfg.out || die "no greeting"
pvhv_alive || die "pvhv not running after create"
wait_until 5 no_domains || die "domain still listed after poweroff"
grep -q "d1 (hello) shut down (poweroff): destroy" "$PVHV_RUNDIR/pvhv.log" ||
	die "pvhv did not log the poweroff"
# Stray port I/O and MMIO are logged with the port/address and guest RIP.
grep -q "d1v0: read from port 0x3fd size 1 count 1 ignored (no device), rip 0x" \
	"$PVHV_RUNDIR/pvhv.log" || die "port read not logged"
grep -q "d1v0: read from 0xe0000000 (4 bytes) ignored (no device), rip 0x" \
	"$PVHV_RUNDIR/pvhv.log" || die "MMIO read not logged"
