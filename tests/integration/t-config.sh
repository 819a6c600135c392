# A bad config line gets FILE:LINE: message and nothing starts.
. "$(dirname "$0")/lib.sh"

check() {
	file=$1 want=$2
	shift 2
	if "$PVCTL" create "$file" "$@" >o.out 2>e.out; then
		die "$file: accepted"
	fi
	grep -qF "$want" e.out || die "$file: got '$(cat e.out)', want '$want'"
}

printf 'name = "x"\nkernel = "%s"\nmemory = "lots"\n' "$PVMINI" >bad1.cfg
check bad1.cfg 'bad1.cfg:3: memory:'
printf 'name = "x"\nkernel = "%s"\nvcpus = 65\n' "$PVMINI" >bad2.cfg
check bad2.cfg 'bad2.cfg:3: vcpus:'
printf 'name = "x"\nkernel = "%s"\nbogus = 1\n' "$PVMINI" >bad3.cfg
check bad3.cfg "bad3.cfg:3: unknown key 'bogus'"
printf 'name = "x"\nkernel = "%s"\ncmdline = "unterminated\n' "$PVMINI" >bad4.cfg
check bad4.cfg 'bad4.cfg:3:'
printf 'name = "x"\nmemory = 64\n' >bad5.cfg
check bad5.cfg "missing required key 'kernel'"
printf 'name = "x"\nkernel = "/nonexistent/kernel"\n' >bad6.cfg
check bad6.cfg 'kernel /nonexistent/kernel: No such file or directory'
printf 'name = "x"\nkernel = "%s"\n' "$PVMINI" >ok.cfg
check ok.cfg 'command line argument 1: memory:' memory=abc
# Not an ELF PVH kernel: pvhv refuses it with the loader's reason.
cp /bin/true notakernel
printf 'name = "x"\nkernel = "notakernel"\n' >bad7.cfg
check bad7.cfg 'XEN_ELFNOTE_PHYS32_ENTRY'
# A ramdisk larger than the domain's memory: clear error, no domain.
head -c 8M /dev/zero >big.img
printf 'name = "x"\nkernel = "%s"\nmemory = 4\nramdisk = "big.img"\n' "$PVMINI" >small.cfg
check small.cfg 'ramdisk (8388608 bytes) does not fit'
no_domains || die "a failed create left a domain behind"
pvhv_alive || die "pvhv died"
