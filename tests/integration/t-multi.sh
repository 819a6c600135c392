# Several domains at once, and a hostile domain beside a healthy one:
# all finish with their own results; pvhv keeps running throughout.
. "$(dirname "$0")/lib.sh"

mkcfg host.cfg hostile1 hostile,hostile,badptr "cmdline = \"test=hostile,hostile,badptr hostile_n=6000\""
for i in 1 2 3; do
	mkcfg g$i.cfg good$i hello,time,version,time
done
boot host.cfg >/dev/null &
for i in 1 2 3; do boot g$i.cfg >/dev/null & done
sleep 0.5
"$PVCTL" list
wait
for i in 1 2 3; do
	[ "$(cat g$i.cfg.rc)" = 0 ] || die "good$i exited $(cat g$i.cfg.rc)"
	expect_pass g$i.cfg.out hello time version
done
[ "$(cat host.cfg.rc)" = 0 ] || die "hostile domain exited $(cat host.cfg.rc)"
expect_pass host.cfg.out hostile badptr
pvhv_alive || die "pvhv died"
no_domains || die "domains left over"
